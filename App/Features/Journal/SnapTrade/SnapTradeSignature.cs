using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// SnapTrade's request signature. Sources: docs.snaptrade.com/docs/request-signatures ("Request Signatures": the payload
/// is <c>{"content", "path", "query"}</c>; content is the JSON body or null when there is none or it is empty; path
/// includes <c>/api/v1</c>; query is the raw query string as sent, without '?'; keys sorted at every level, no
/// whitespace, UTF-8; HMAC-SHA256 with the consumer key; base64 in the <c>Signature</c> header) and the official Python
/// SDK (passiv/snaptrade-sdks, sdks/python/snaptrade_client/api_client.py, <c>compute_request_signature</c>:
/// <c>json.dumps({"content": None if body is unset or body == {} else body, "path": "/api/v1" + subpath,
/// "query": query}, separators=(",", ":"), sort_keys=True)</c>).
/// </summary>
public static class SnapTradeSignature
{
    /// <summary>The canonical string that is signed.</summary>
    public static string Payload(string path, string query, string? bodyJson)
    {
        var sb = new StringBuilder();
        sb.Append("{\"content\":");
        if (string.IsNullOrWhiteSpace(bodyJson))
        {
            sb.Append("null");
        }
        else
        {
            using var doc = JsonDocument.Parse(bodyJson);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !root.EnumerateObject().Any()) sb.Append("null"); // the SDK signs {} as null
            else WriteCanonical(sb, root);
        }
        sb.Append(",\"path\":");
        WriteString(sb, path);
        sb.Append(",\"query\":");
        WriteString(sb, query);
        sb.Append('}');
        return sb.ToString();
    }

    public static string Compute(string consumerKey, string path, string query, string? bodyJson)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(consumerKey), Encoding.UTF8.GetBytes(Payload(path, query, bodyJson)));
        return Convert.ToBase64String(mac);
    }

    private static void WriteCanonical(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var p in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, p.Name);
                    sb.Append(':');
                    WriteCanonical(sb, p.Value);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (i++ > 0) sb.Append(',');
                    WriteCanonical(sb, item);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, e.GetString()!);
                break;
            default:
                sb.Append(e.GetRawText()); // numbers as written, true, false, null
                break;
        }
    }

    /// <summary>
    /// A JSON string as Python's json.dumps writes it (ensure_ascii): '"', '\\' and control characters escaped, non-ASCII
    /// as \uXXXX. System.Text.Json's encoders are not used: the default one escapes '&amp;', '+', '&lt;' and '\'' too,
    /// and the query string is full of '&amp;', which would change the signed bytes.
    /// </summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7F) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
