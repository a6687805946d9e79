using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Signalbook.Data;

/// <summary>One migration: an ordered, embedded SQL file.</summary>
public sealed record Migration(string Version, string Name, string Sql, string Checksum);

/// <summary>What a run did.</summary>
public sealed record MigrationReport(IReadOnlyList<string> Applied, int AlreadyApplied);

/// <summary>
/// Applies the SQL files in Data/Migrations (embedded as resources) in file-name order. Each file
/// runs in its own transaction and is recorded in <c>schema_migrations</c> with a SHA-256 of its
/// text. The whole run holds a PostgreSQL advisory lock, so several app instances starting at once
/// apply each file exactly once. A file that was changed after it was applied stops the run with an
/// error naming it: applied migrations are history and are never edited.
/// </summary>
public sealed class MigrationRunner(string connectionString, Action<string>? log = null)
{
    /// <summary>Arbitrary constant: the advisory lock key of Signalbook's migrations.</summary>
    private const long LockKey = 0x5349474E414C42; // "SIGNALB"

    public static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Parse(n[prefix.Length..^4], Read(assembly, n)))
            .ToList();
    }

    public static Migration Parse(string fileStem, string sql)
    {
        var underscore = fileStem.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !fileStem[..underscore].All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException($"Migration file '{fileStem}.sql' must be named NNNN_description.sql.");
        }
        var normalized = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normalized))).ToLowerInvariant();
        return new Migration(fileStem[..underscore], fileStem[(underscore + 1)..], normalized, checksum);
    }

    public async Task<MigrationReport> RunAsync(IReadOnlyList<Migration>? migrations = null, CancellationToken ct = default)
    {
        migrations ??= LoadEmbedded();
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        }

        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await Execute(conn, null, $"SELECT pg_advisory_lock({LockKey})", ct);
        try
        {
            await Execute(conn, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    name text NOT NULL,
                    checksum char(64) NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    execution_ms integer NOT NULL
                )
                """, ct);

            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var cmd = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) applied[reader.GetString(0)] = reader.GetString(1);
            }

            var done = new List<string>();
            foreach (var m in migrations)
            {
                if (applied.TryGetValue(m.Version, out var checksum))
                {
                    if (checksum != m.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {m.Version}_{m.Name}.sql was changed after it was applied (checksum {checksum[..12]}… in the database, " +
                            $"{m.Checksum[..12]}… in the file). Revert the edit and add a new migration instead.");
                    }
                    continue;
                }

                var sw = Stopwatch.StartNew();
                await using var tx = await conn.BeginTransactionAsync(ct);
                try
                {
                    await Execute(conn, tx, m.Sql, ct);
                }
                catch (PostgresException ex)
                {
                    throw new InvalidOperationException($"Migration {m.Version}_{m.Name}.sql failed: {ex.MessageText} (at position {ex.Position}).", ex);
                }
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, checksum, execution_ms) VALUES (@v, @n, @c, @ms)", conn, tx))
                {
                    record.Parameters.AddWithValue("v", m.Version);
                    record.Parameters.AddWithValue("n", m.Name);
                    record.Parameters.AddWithValue("c", m.Checksum);
                    record.Parameters.AddWithValue("ms", (int)sw.ElapsedMilliseconds);
                    await record.ExecuteNonQueryAsync(ct);
                }
                await tx.CommitAsync(ct);
                log?.Invoke($"Applied migration {m.Version}_{m.Name} in {sw.ElapsedMilliseconds} ms");
                done.Add($"{m.Version}_{m.Name}");
            }
            return new MigrationReport(done, applied.Count);
        }
        finally
        {
            await Execute(conn, null, $"SELECT pg_advisory_unlock({LockKey})", CancellationToken.None);
        }
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
