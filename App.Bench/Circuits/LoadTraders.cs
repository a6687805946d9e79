using Npgsql;

namespace Signalbook.Bench.Circuits;

/// <summary>
/// Makes N trader accounts (those not there yet) for the load in one statement each, as copies of the demo trader: same role, same password
/// hash (a hash carries its own salt and does not depend on the user), the risk disclosure accepted so the
/// recommendations show, and a fresh id, email and security stamp each. Going through the sign-up form for a thousand
/// users would measure that form, not circuits.
/// </summary>
public static class LoadTraders
{
    public static string Email(int i) => $"load{i:D5}@bench.test";

    public static async Task CreateAsync(string connectionString, string templateEmail, int count, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var sql = """
            CREATE TEMP TABLE load_users ON COMMIT DROP AS
                SELECT u.*, g AS n FROM users u, generate_series(1, @count) g WHERE u.normalized_email = upper(@template)
                    AND NOT EXISTS (SELECT 1 FROM users x WHERE x.normalized_email = upper('load' || lpad(g::text, 5, '0') || '@bench.test'));
            UPDATE load_users SET id = gen_random_uuid(),
                email = 'load' || lpad(n::text, 5, '0') || '@bench.test',
                username = 'load' || lpad(n::text, 5, '0') || '@bench.test',
                security_stamp = replace(gen_random_uuid()::text, '-', ''),
                concurrency_stamp = gen_random_uuid()::text,
                name = 'Load trader ' || n, last_login = NULL, access_failed_count = 0, lockout_end = NULL;
            UPDATE load_users SET normalized_email = upper(email), normalized_username = upper(username);
            ALTER TABLE load_users DROP COLUMN n;
            INSERT INTO users SELECT * FROM load_users;
            INSERT INTO user_roles (user_id, role_id)
                SELECT l.id, r.role_id FROM load_users l, user_roles r JOIN users t ON t.id = r.user_id WHERE t.normalized_email = upper(@template);
            CREATE TEMP TABLE load_settings ON COMMIT DROP AS
                SELECT s.* FROM user_settings s JOIN users t ON t.id = s.user_id WHERE t.normalized_email = upper(@template);
            INSERT INTO user_settings
                SELECT (jsonb_populate_record(s, jsonb_build_object('user_id', l.id, 'risk_consent_accepted', true, 'risk_consent_accepted_at', now()))).*
                FROM load_settings s, load_users l;
            INSERT INTO user_settings (user_id, risk_consent_accepted, risk_consent_accepted_at)
                SELECT l.id, true, now() FROM load_users l WHERE NOT EXISTS (SELECT 1 FROM load_settings);
            """;
        await using (var cmd = new NpgsqlCommand(sql, conn, tx))
        {
            cmd.Parameters.AddWithValue("count", count);
            cmd.Parameters.AddWithValue("template", templateEmail);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await using (var check = new NpgsqlCommand("SELECT count(*) FROM users WHERE email LIKE 'load%@bench.test' AND substring(email, 5, 5)::int <= @count", conn, tx))
        {
            check.Parameters.AddWithValue("count", count);
            var made = (long)(await check.ExecuteScalarAsync(ct))!;
            if (made != count) throw new InvalidOperationException($"Made {made} load traders, wanted {count} (is {templateEmail} seeded?).");
        }
        await tx.CommitAsync(ct);
    }
}
