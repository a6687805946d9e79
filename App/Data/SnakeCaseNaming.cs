using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Data;

/// <summary>
/// Gives every table, column, key, index and foreign key a snake_case name, as the schema
/// documents use. (EFCore.NamingConventions has no build for EF Core 10 on our feed.)
/// Table and column names set explicitly in a configuration are kept; index names are
/// always derived (ix_/ux_ table_columns) so that they read the same everywhere.
/// </summary>
public static class SnakeCaseNaming
{
    public static void UseSnakeCaseNames(this ModelBuilder builder)
    {
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is { } table && !IsExplicit(((IConventionEntityType)entity).GetTableNameConfigurationSource()))
            {
                entity.SetTableName(ToSnakeCase(table));
            }

            var tableName = entity.GetTableName()!;
            var storeObject = StoreObjectIdentifier.Table(tableName, entity.GetSchema());

            foreach (var property in entity.GetProperties())
            {
                if (!IsExplicit(((IConventionProperty)property).GetColumnNameConfigurationSource()))
                {
                    property.SetColumnName(ToSnakeCase(property.GetColumnName(storeObject) ?? property.Name));
                }
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName(key.IsPrimaryKey()
                    ? $"pk_{tableName}"
                    : $"ak_{tableName}_{string.Join("_", key.Properties.Select(p => p.GetColumnName()))}");
            }

            foreach (var fk in entity.GetForeignKeys())
            {
                var principal = fk.PrincipalEntityType.GetTableName();
                fk.SetConstraintName($"fk_{tableName}_{principal}_{string.Join("_", fk.Properties.Select(p => p.GetColumnName()))}");
            }

            foreach (var index in entity.GetIndexes())
            {
                var prefix = index.IsUnique ? "ux" : "ix";
                index.SetDatabaseName($"{prefix}_{tableName}_{string.Join("_", index.Properties.Select(p => p.GetColumnName()))}");
            }
        }
    }

    private static bool IsExplicit(ConfigurationSource? source) => source == ConfigurationSource.Explicit;

    public static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previousIsLower = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]));
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (i > 0 && name[i - 1] != '_' && (previousIsLower || (nextIsLower && char.IsUpper(name[i - 1]))))
                {
                    sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
