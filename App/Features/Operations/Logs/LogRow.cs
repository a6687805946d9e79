using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Signalbook.Features.Operations.Logs;

/// <summary>
/// One service_logs row, encoded when it is logged as the row of a binary COPY (PostgreSQL's COPY BINARY format:
/// a 16-bit field count, then each field as a 32-bit length, -1 for NULL, and its bytes) for the columns
/// <see cref="Columns"/>. A line waiting for the writer is then one array of bytes: the collector neither traces nor
/// copies a graph of objects per line (a context list, boxed values, the message), which, for lines that outlive a
/// collection, cost the requests more than the logging itself; and a value that may change after it is logged is
/// already its text.
/// </summary>
public static class LogRow
{
    public const string Columns = "user_id, level, module, message, context, \"timestamp\"";

    public const int ModuleMax = 128, MessageMax = 1024;

    private const int FieldCount = 6;

    /// <summary>Microseconds are counted from 2000-01-01 UTC in PostgreSQL's binary timestamps.</summary>
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    [ThreadStatic] private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic] private static ArrayBufferWriter<byte>? _json;
    [ThreadStatic] private static Utf8JsonWriter? _jsonWriter;

    /// <summary>The row's bytes. <paramref name="context"/>: scope and message values in order; a later value of a key wins.</summary>
    public static byte[] Encode(DateTimeOffset at, string level, string module, string message, Guid? userId, IReadOnlyList<KeyValuePair<string, object?>> context)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        BinaryPrimitives.WriteInt16BigEndian(buffer.GetSpan(2), FieldCount);
        buffer.Advance(2);
        if (userId is { } user)
        {
            var span = buffer.GetSpan(20);
            BinaryPrimitives.WriteInt32BigEndian(span, 16);
            user.TryWriteBytes(span[4..], bigEndian: true, out _);
            buffer.Advance(20);
        }
        else WriteNull(buffer);
        WriteText(buffer, level, 16);
        WriteText(buffer, module, ModuleMax);
        WriteText(buffer, message, MessageMax);
        WriteContext(buffer, context);
        var stamp = buffer.GetSpan(12);
        BinaryPrimitives.WriteInt32BigEndian(stamp, 8);
        BinaryPrimitives.WriteInt64BigEndian(stamp[4..], (at.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
        buffer.Advance(12);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The user id of an encoded row, if it has one (the first field).</summary>
    public static Guid? UserIdOf(byte[] row)
        => BinaryPrimitives.ReadInt32BigEndian(row.AsSpan(2)) == 16 ? new Guid(row.AsSpan(6, 16), bigEndian: true) : null;

    /// <summary>The same row with no user (for a user deleted since the line was logged).</summary>
    public static byte[] WithoutUser(byte[] row)
    {
        if (BinaryPrimitives.ReadInt32BigEndian(row.AsSpan(2)) != 16) return row;
        var copy = new byte[row.Length - 16];
        row.AsSpan(0, 2).CopyTo(copy);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(2), -1);
        row.AsSpan(22).CopyTo(copy.AsSpan(6));
        return copy;
    }

    /// <summary>The COPY BINARY header: signature, flags, header extension length.</summary>
    public static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The COPY BINARY trailer: a field count of -1.</summary>
    public static ReadOnlySpan<byte> Trailer => [0xFF, 0xFF];

    private static void WriteNull(ArrayBufferWriter<byte> buffer)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), -1);
        buffer.Advance(4);
    }

    private static void WriteText(ArrayBufferWriter<byte> buffer, string text, int maxChars)
    {
        var value = text.Length > maxChars ? text.AsSpan(0, maxChars) : text.AsSpan();
        var span = buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var length = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, length);
        buffer.Advance(4 + length);
    }

    /// <summary>jsonb in binary is a version byte (1) and the JSON text; an empty context is NULL.</summary>
    private static void WriteContext(ArrayBufferWriter<byte> buffer, IReadOnlyList<KeyValuePair<string, object?>> context)
    {
        if (context.Count == 0)
        {
            WriteNull(buffer);
            return;
        }
        var json = _json ??= new ArrayBufferWriter<byte>(512);
        json.ResetWrittenCount();
        var writer = _jsonWriter ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        WriteJson(writer, context);
        writer.Flush();
        var span = buffer.GetSpan(5 + json.WrittenCount);
        BinaryPrimitives.WriteInt32BigEndian(span, json.WrittenCount + 1);
        span[4] = 1;
        json.WrittenSpan.CopyTo(span[5..]);
        buffer.Advance(5 + json.WrittenCount);
    }

    /// <summary>The context as one JSON object, written from the end so that a later value of a key wins.</summary>
    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, object?>> context)
    {
        json.WriteStartObject();
        HashSet<string>? seen = context.Count > 8 ? new HashSet<string>(StringComparer.Ordinal) : null;
        for (var i = context.Count - 1; i >= 0; i--)
        {
            var (key, value) = context[i];
            if (seen is not null ? !seen.Add(key) : RepeatsLater(context, i, key)) continue;
            json.WritePropertyName(key);
            switch (value)
            {
                case null: json.WriteNullValue(); break;
                case string v: json.WriteStringValue(v); break;
                case bool v: json.WriteBooleanValue(v); break;
                case int v: json.WriteNumberValue(v); break;
                case long v: json.WriteNumberValue(v); break;
                case short v: json.WriteNumberValue(v); break;
                case byte v: json.WriteNumberValue(v); break;
                case double v when double.IsFinite(v): json.WriteNumberValue(v); break;
                case float v when float.IsFinite(v): json.WriteNumberValue(v); break;
                case decimal v: json.WriteNumberValue(v); break;
                case Guid v: json.WriteStringValue(v); break;
                case DateTimeOffset v: json.WriteStringValue(v.ToString("O", CultureInfo.InvariantCulture)); break;
                case DateTime v: json.WriteStringValue(v.ToString("O", CultureInfo.InvariantCulture)); break;
                case Enum v: json.WriteStringValue(v.ToString()); break;
                default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            }
        }
        json.WriteEndObject();
    }

    private static bool RepeatsLater(IReadOnlyList<KeyValuePair<string, object?>> context, int i, string key)
    {
        for (var j = i + 1; j < context.Count; j++)
            if (string.Equals(context[j].Key, key, StringComparison.Ordinal)) return true;
        return false;
    }
}
