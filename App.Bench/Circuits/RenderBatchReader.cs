using System.Buffers.Binary;
using System.Text;

namespace Signalbook.Bench.Circuits;

/// <summary>An element seen in a render batch's reference frames, with its attributes and the event handlers on it.</summary>
/// <remarks><paramref name="ComponentId"/> is the component whose diff inserted the element (-1 if not known).</remarks>
public sealed record RenderedElement(string Name, int ComponentId, IReadOnlyDictionary<string, string?> Attributes, IReadOnlyDictionary<string, ulong> EventHandlers);

/// <summary>An event handler set on an existing element of <paramref name="ComponentId"/> by a SetAttribute edit.</summary>
public sealed record ReplacedHandler(int ComponentId, string Name, ulong Handler);

/// <summary>
/// Reads the parts of a Blazor Server render batch (the binary the server sends as <c>JS.RenderBatch</c>) that a load
/// client needs: the elements among the reference frames with their attributes and event handler ids, and the event
/// handlers the batch disposes. Layout, as written by the framework's RenderBatchWriter: the data regions, then a
/// string table, then five int32 offsets (updated components, reference frames, disposed component ids, disposed event
/// handler ids, string table). Each reference frame is 20 bytes: an int32 frame type and 16 bytes that depend on it.
/// </summary>
public static class RenderBatchReader
{
    private const int FrameSize = 20;
    private const int ElementFrame = 1;
    private const int AttributeFrame = 3;
    private const int SetAttributeEdit = 3;
    private const int PrependFrameEdit = 1;
    private const int ComponentFrame = 4;
    private const int RegionFrame = 5;

    /// <summary>
    /// Reads a batch: the elements among its reference frames; the handlers set by SetAttribute edits (an element's
    /// attribute replaced in place: the edit names no element, so the client matches it to the handler the same batch
    /// disposes); and the disposed handler ids.
    /// </summary>
    public static (List<RenderedElement> Elements, List<ReplacedHandler> ReplacedHandlers, List<ulong> DisposedHandlers) Read(ReadOnlySpan<byte> batch)
    {
        var end = batch.Length - 5 * 4;
        var updatedComponents = Int(batch, end);
        var referenceFrames = Int(batch, end + 4);
        var disposedHandlers = Int(batch, end + 12);
        var stringTable = Int(batch, end + 16);
        var stringCount = (end - stringTable) / 4;

        var count = Int(batch, referenceFrames);
        var frames = referenceFrames + 4;
        // Which component's diff put each reference frame into the page: PrependFrame edits insert a frame and its subtree.
        var owner = new int[count];
        Array.Fill(owner, -1);
        var replaced = new List<ReplacedHandler>();
        var diffCount = Int(batch, updatedComponents);
        for (var d = 0; d < diffCount; d++)
        {
            var diff = Int(batch, updatedComponents + 4 + d * 4);
            var componentId = Int(batch, diff);
            var edits = Int(batch, diff + 4);
            for (var e = 0; e < edits; e++)
            {
                // An edit is 16 bytes: type, sibling index, reference frame index, removed attribute name.
                var edit = diff + 8 + e * 16;
                var type = Int(batch, edit);
                var index = Int(batch, edit + 8);
                if (index < 0 || index >= count) continue;
                var frame = frames + index * FrameSize;
                if (type == PrependFrameEdit)
                {
                    var frameType = Int(batch, frame);
                    var length = frameType is ElementFrame or ComponentFrame or RegionFrame ? Math.Max(1, Int(batch, frame + 4)) : 1;
                    for (var f = index; f < Math.Min(count, index + length); f++) owner[f] = componentId;
                }
                else if (type == SetAttributeEdit)
                {
                    owner[index] = componentId;
                    var handler = BinaryPrimitives.ReadUInt64LittleEndian(batch.Slice(frame + 12, 8));
                    if (handler != 0 && Str(batch, stringTable, stringCount, Int(batch, frame + 4)) is { } attributeName)
                        replaced.Add(new ReplacedHandler(componentId, attributeName, handler));
                }
            }
        }

        var elements = new List<RenderedElement>();
        for (var i = 0; i < count; i++)
        {
            var at = frames + i * FrameSize;
            if (Int(batch, at) != ElementFrame) continue;
            var name = Str(batch, stringTable, stringCount, Int(batch, at + 8)) ?? "";
            var attributes = new Dictionary<string, string?>(StringComparer.Ordinal);
            var handlers = new Dictionary<string, ulong>(StringComparer.Ordinal);
            // An element's attributes are the frames straight after it.
            for (var j = i + 1; j < count; j++)
            {
                var a = frames + j * FrameSize;
                if (Int(batch, a) != AttributeFrame) break;
                var attributeName = Str(batch, stringTable, stringCount, Int(batch, a + 4));
                if (attributeName is null) continue;
                var handler = BinaryPrimitives.ReadUInt64LittleEndian(batch.Slice(a + 12, 8));
                if (handler != 0) handlers[attributeName] = handler;
                else attributes[attributeName] = Str(batch, stringTable, stringCount, Int(batch, a + 8));
            }
            if (attributes.Count > 0 || handlers.Count > 0) elements.Add(new RenderedElement(name, owner[i], attributes, handlers));
        }

        var disposed = new List<ulong>();
        var disposedCount = Int(batch, disposedHandlers);
        for (var i = 0; i < disposedCount; i++)
            disposed.Add(BinaryPrimitives.ReadUInt64LittleEndian(batch.Slice(disposedHandlers + 4 + i * 8, 8)));
        return (elements, replaced, disposed);
    }

    private static string? Str(ReadOnlySpan<byte> batch, int stringTable, int stringCount, int index)
    {
        if (index < 0 || index >= stringCount) return null;
        var at = Int(batch, stringTable + index * 4);
        // BinaryWriter.Write(string): a 7-bit encoded byte length, then UTF-8.
        int length = 0, shift = 0;
        byte b;
        do
        {
            b = batch[at++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return Encoding.UTF8.GetString(batch.Slice(at, length));
    }

    private static int Int(ReadOnlySpan<byte> data, int at) => BinaryPrimitives.ReadInt32LittleEndian(data.Slice(at, 4));
}
