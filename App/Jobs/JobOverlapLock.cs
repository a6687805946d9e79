using System.Text;
using Npgsql;

namespace Signalbook.Jobs;

/// <summary>
/// One run of a job at a time across every node: a PostgreSQL session-level advisory lock per job name, held on a
/// connection of its own (not pooled) for the whole run. PostgreSQL releases it when the run ends, and also when the
/// node dies (its session ends), so a crashed node never leaves a job locked. Hangfire's own storage lock expires
/// after a fixed timeout instead, which a long run (a training) can outlive.
/// </summary>
public sealed class JobOverlapLock(string connectionString, string nodeName)
{
    // "SBJB": the advisory-lock class of Signalbook's jobs, the second key is a stable hash of the job name.
    private const int LockClass = 0x53424A42;

    private readonly string _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
    {
        Pooling = false,
        ApplicationName = ApplicationNameFor(nodeName),
    }.ConnectionString;

    /// <summary>The application_name of this node's lock sessions (visible in pg_stat_activity).</summary>
    public static string ApplicationNameFor(string nodeName)
    {
        var name = $"signalbook-lock {nodeName}";
        return name.Length <= 63 ? name : name[..63];
    }

    /// <summary>The held lock, or null when another run holds it.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string jobName, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@c, @k)", connection);
            cmd.Parameters.AddWithValue("c", LockClass);
            cmd.Parameters.AddWithValue("k", KeyOf(jobName));
            if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return new Held(connection, jobName);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>FNV-1a of the name: the same key on every node and in every process (string.GetHashCode is not).</summary>
    internal static int KeyOf(string jobName)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(jobName))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return unchecked((int)hash);
    }

    private sealed class Held(NpgsqlConnection connection, string jobName) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(@c, @k)", connection);
                cmd.Parameters.AddWithValue("c", LockClass);
                cmd.Parameters.AddWithValue("k", KeyOf(jobName));
                await cmd.ExecuteScalarAsync();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The session is gone, and the lock with it.
            }
            finally
            {
                await connection.DisposeAsync(); // not pooled: closing ends the session, which releases the lock in any case
            }
        }
    }
}
