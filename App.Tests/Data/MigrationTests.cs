using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Hangfire.PostgreSql;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using Signalbook.Data;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Data;

/// <summary>
/// The SQL migrations and the EF model must describe the same schema. Every table, column (store
/// type, nullability, default, identity), primary key, foreign key (columns, target, on delete),
/// index (columns, uniqueness) and check constraint of the model is compared with what the
/// migrations built in an empty database. Defaults and check constraints are compared after
/// PostgreSQL itself has rendered both, so formatting differences cannot hide a real one.
/// </summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_OnEmptyDatabase_ProduceExactlyTheEfModel()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var report = await new MigrationRunner(cs).RunAsync();
        Assert.Equal(MigrationRunner.LoadEmbedded().Count, report.Applied.Count);
        // Hangfire's tables, as the app's job storage creates them at start-up: the comparison below must leave them alone.
        _ = new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(cs, new PostgreSqlStorageOptions()),
            new PostgreSqlStorageOptions { SchemaName = JobsSetup.Schema, PrepareSchemaIfNecessary = true });

        await using var db = AppDbContextDesign.CreateOffline();
        var model = db.GetService<IDesignTimeModel>().Model.GetRelationalModel();
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var problems = new List<string>();

        // Every schema but PostgreSQL's own and "hangfire": that one belongs to Hangfire, which creates and upgrades its
        // tables itself (Hangfire.PostgreSql's PrepareSchemaIfNecessary), so the EF model does not describe them. A table
        // our migrations created in any other schema must be in the model.
        var schemas = await ListAsync(conn, $"SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', '{JobsSetup.Schema}') AND nspname NOT LIKE 'pg\\_%'");
        Assert.Equal(["public"], schemas.Order());
        var dbTables = await ListAsync(conn, $"SELECT CASE WHEN table_schema = 'public' THEN '' ELSE table_schema || '.' END || table_name FROM information_schema.tables WHERE table_schema <> '{JobsSetup.Schema}' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'");
        var modelTables = model.Tables.Select(t => t.Name).ToHashSet();
        problems.AddRange(modelTables.Except(dbTables).Select(t => $"table {t} is in the model but was not created"));
        problems.AddRange(dbTables.Except(modelTables).Where(t => t != "schema_migrations")
            .Select(t => $"table {t} was created but is not in the model"));

        await using var tx = await conn.BeginTransactionAsync(); // used to let PostgreSQL render the model's SQL; rolled back
        foreach (var table in model.Tables.Where(t => dbTables.Contains(t.Name)))
        {
            var columns = await ColumnsAsync(conn, tx, table.Name);
            foreach (var column in table.Columns)
            {
                if (!columns.TryGetValue(column.Name, out var actual))
                {
                    problems.Add($"{table.Name}.{column.Name} is missing");
                    continue;
                }
                if (actual.Type != column.StoreType) problems.Add($"{table.Name}.{column.Name}: type {actual.Type}, model {column.StoreType}");
                if (actual.Nullable != column.IsNullable) problems.Add($"{table.Name}.{column.Name}: nullable {actual.Nullable}, model {column.IsNullable}");
                var identity = IdentityOf(column);
                if (actual.Identity != identity) problems.Add($"{table.Name}.{column.Name}: identity '{actual.Identity}', model '{identity}'");
                var expectedDefault = await RenderDefaultAsync(conn, tx, table.Name, column);
                if (actual.Default != expectedDefault) problems.Add($"{table.Name}.{column.Name}: default {actual.Default ?? "none"}, model {expectedDefault ?? "none"}");
            }
            problems.AddRange(columns.Keys.Except(table.Columns.Select(c => c.Name)).Select(c => $"{table.Name}.{c} exists but is not in the model"));

            var pk = await ListAsync(conn, tx, """
                SELECT c.conname || ':' || string_agg(a.attname, ',' ORDER BY k.ord)
                FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                WHERE c.contype = 'p' AND c.conrelid = @t::regclass GROUP BY c.conname
                """, table.Name);
            var modelPk = $"{table.PrimaryKey!.Name}:{string.Join(',', table.PrimaryKey.Columns.Select(c => c.Name))}";
            if (!pk.SetEquals([modelPk])) problems.Add($"{table.Name}: primary key {string.Join(";", pk)}, model {modelPk}");

            var fks = await ListAsync(conn, tx, """
                SELECT c.conname || ':' || (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
                    || '->' || c.confrelid::regclass::text || ':' || c.confdeltype::text
                FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid = @t::regclass
                """, table.Name);
            var modelFks = table.ForeignKeyConstraints.Select(f =>
                $"{f.Name}:{string.Join(',', f.Columns.Select(c => c.Name))}->{f.PrincipalTable.Name}:{DeleteCode(f.OnDeleteAction)}").ToHashSet();
            Compare(problems, $"{table.Name} foreign keys", fks, modelFks);

            var indexes = await ListAsync(conn, tx, """
                SELECT i.relname || ':' || (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
                    || ':' || CASE WHEN x.indisunique THEN 'unique' ELSE 'plain' END
                    || ':' || coalesce(pg_get_expr(x.indpred, x.indrelid), '')
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = @t::regclass AND NOT x.indisprimary
                """, table.Name);
            var modelIndexes = table.Indexes.Select(i =>
                $"{i.Name}:{string.Join(',', i.Columns.Select(c => c.Name))}:{(i.IsUnique ? "unique" : "plain")}:{i.Filter ?? ""}").ToHashSet();
            Compare(problems, $"{table.Name} indexes", indexes, modelIndexes);

            var checks = await ListAsync(conn, tx, "SELECT conname || ':' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid = @t::regclass", table.Name);
            var modelChecks = new HashSet<string>();
            foreach (var check in table.EntityTypeMappings.SelectMany(m => m.TypeBase is IEntityType e ? e.GetCheckConstraints() : []).DistinctBy(c => c.Name))
            {
                // Let PostgreSQL render the model's SQL on the same table, then compare renderings.
                var probe = "probe_" + check.Name;
                await ExecAsync(conn, tx, $"ALTER TABLE {table.Name} ADD CONSTRAINT {probe} CHECK ({check.Sql}) NOT VALID");
                var rendered = await ListAsync(conn, tx, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = @t", probe);
                modelChecks.Add($"{check.Name}:{rendered.Single().Replace(" NOT VALID", "", StringComparison.Ordinal)}");
                await ExecAsync(conn, tx, $"ALTER TABLE {table.Name} DROP CONSTRAINT {probe}");
            }
            Compare(problems, $"{table.Name} check constraints", checks, modelChecks);

            // Storage parameters (fillfactor): Npgsql keeps them as entity annotations "Npgsql:StorageParameter:<name>".
            const string storagePrefix = "Npgsql:StorageParameter:";
            var storage = await ListAsync(conn, tx, "SELECT unnest(reloptions) FROM pg_class WHERE oid = @t::regclass", table.Name);
            var modelStorage = table.EntityTypeMappings.SelectMany(m => m.TypeBase.GetAnnotations())
                .Where(a => a.Name.StartsWith(storagePrefix, StringComparison.Ordinal))
                .Select(a => $"{a.Name[storagePrefix.Length..]}={Convert.ToString(a.Value, System.Globalization.CultureInfo.InvariantCulture)}").ToHashSet();
            Compare(problems, $"{table.Name} storage parameters", storage, modelStorage);
        }
        await tx.RollbackAsync();

        Assert.True(problems.Count == 0, "The migrations and the EF model disagree:\n" + string.Join("\n", problems));
        Assert.NotEmpty(modelTables);
    }

    [Fact]
    public async Task Migrations_RunAgain_ApplyNothingAndKeepHistory()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var first = await new MigrationRunner(cs).RunAsync();
        var second = await new MigrationRunner(cs).RunAsync();
        Assert.NotEmpty(first.Applied);
        Assert.Empty(second.Applied);
        Assert.Equal(first.Applied.Count, second.AlreadyApplied);
    }

    [Fact]
    public async Task Migrations_StartedTwiceAtOnce_ApplyEachFileOnce()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var runs = await Task.WhenAll(new MigrationRunner(cs).RunAsync(), new MigrationRunner(cs).RunAsync());
        Assert.Equal(MigrationRunner.LoadEmbedded().Count, runs.Sum(r => r.Applied.Count));
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", conn);
        Assert.Equal((long)MigrationRunner.LoadEmbedded().Count, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Migrations_FileEditedAfterApplying_StopWithItsName()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var original = MigrationRunner.Parse("0001_demo", "CREATE TABLE demo (id int);");
        await new MigrationRunner(cs).RunAsync([original]);
        var edited = MigrationRunner.Parse("0001_demo", "CREATE TABLE demo (id bigint);");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new MigrationRunner(cs).RunAsync([edited]));
        Assert.Contains("0001_demo.sql was changed after it was applied", error.Message);
    }

    [Fact]
    public async Task Migrations_FailingFile_RollsBackAndNamesTheFile()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var good = MigrationRunner.Parse("0001_good", "CREATE TABLE good (id int);");
        var bad = MigrationRunner.Parse("0002_bad", "CREATE TABLE half (id int); SELECT * FROM no_such_table;");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new MigrationRunner(cs).RunAsync([good, bad]));
        Assert.Contains("0002_bad.sql failed", error.Message);
        Assert.Contains("no_such_table", error.Message);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        Assert.Empty(await ListAsync(conn, "SELECT table_name FROM information_schema.tables WHERE table_name = 'half'"));
        Assert.Equal(["0001"], await ListAsync(conn, "SELECT version FROM schema_migrations"));
    }

    [Theory]
    [InlineData("initial")]
    [InlineData("01x_bad")]
    public void Parse_BadFileName_IsRefused(string stem)
        => Assert.Throws<InvalidOperationException>(() => MigrationRunner.Parse(stem, "SELECT 1"));

    private sealed record ColumnInfo(string Type, bool Nullable, string? Default, string Identity);

    private static async Task<Dictionary<string, ColumnInfo>> ColumnsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string table)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = @t::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """, conn, tx);
        cmd.Parameters.AddWithValue("t", table);
        var result = new Dictionary<string, ColumnInfo>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            result[r.GetString(0)] = new ColumnInfo(r.GetString(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4));
        }
        return result;
    }

    /// <summary>The model's default for a column, as PostgreSQL renders it (set on the real column inside the rolled-back transaction).</summary>
    private static async Task<string?> RenderDefaultAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string table, IColumn column)
    {
        var sql = column.DefaultValueSql
                  ?? (column.DefaultValue is { } value ? column.StoreTypeMapping.GenerateSqlLiteral(value) : null);
        if (sql is null) return null;
        await ExecAsync(conn, tx, "SAVEPOINT render_default");
        await ExecAsync(conn, tx, $"ALTER TABLE {table} ALTER COLUMN {column.Name} SET DEFAULT {sql}");
        var rendered = (await ColumnsAsync(conn, tx, table))[column.Name].Default;
        await ExecAsync(conn, tx, "ROLLBACK TO SAVEPOINT render_default");
        return rendered;
    }

    private static string IdentityOf(IColumn column)
    {
        var property = column.PropertyMappings.First().Property;
        return property.GetValueGenerationStrategy() switch
        {
            NpgsqlValueGenerationStrategy.IdentityAlwaysColumn => "a",
            NpgsqlValueGenerationStrategy.IdentityByDefaultColumn => "d",
            _ => "",
        };
    }

    private static char DeleteCode(ReferentialAction action) => action switch
    {
        ReferentialAction.Cascade => 'c',
        ReferentialAction.SetNull => 'n',
        ReferentialAction.Restrict => 'r',
        ReferentialAction.SetDefault => 'd',
        _ => 'a',
    };

    private static void Compare(List<string> problems, string what, HashSet<string> actual, HashSet<string> expected)
    {
        problems.AddRange(expected.Except(actual).Select(x => $"{what}: model has {x}, database does not"));
        problems.AddRange(actual.Except(expected).Select(x => $"{what}: database has {x}, model does not"));
    }

    private static Task<HashSet<string>> ListAsync(NpgsqlConnection conn, string sql) => ListAsync(conn, null, sql, null);

    private static async Task<HashSet<string>> ListAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, string? t)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        if (t is not null) cmd.Parameters.AddWithValue("t", t);
        var result = new HashSet<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) result.Add(r.GetString(0));
        return result;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync();
    }
}
