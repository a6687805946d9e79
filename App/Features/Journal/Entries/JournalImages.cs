using System.Globalization;

namespace Signalbook.Features.Journal.Entries;

/// <summary>
/// The screenshots a journal entry accepts: PNG, JPEG, WebP and GIF, recognised by their first bytes (a renamed file is
/// not an image because of its name), at most <see cref="MaxBytes"/> each and <see cref="MaxPerEntry"/> per entry.
/// </summary>
public static class JournalImages
{
    public const int MaxBytes = JournalAttachmentConfiguration.MaxBytes;
    public const int MaxPerEntry = 10;

    /// <summary>For the file picker's accept attribute (a convenience only: the bytes decide).</summary>
    public const string Accept = ".png,.jpg,.jpeg,.webp,.gif,image/png,image/jpeg,image/webp,image/gif";

    public static readonly IReadOnlyList<string> ContentTypes = ["image/png", "image/jpeg", "image/webp", "image/gif"];

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".webp", ".gif"];

    /// <summary>The content type the bytes are, or null when they are none of the four formats.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return "image/gif";
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    public static bool HasImageExtension(string fileName) => Extensions.Contains(Path.GetExtension(fileName).ToLowerInvariant());

    /// <summary>"1.5 MB", "320 KB".</summary>
    public static string Size(long bytes) => bytes >= 1024 * 1024
        ? (bytes / 1024d / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " MB"
        : Math.Max(1, (long)Math.Round(bytes / 1024d)).ToString(CultureInfo.InvariantCulture) + " KB";

    public static string TooLarge(string fileName, long bytes) => string.Create(CultureInfo.InvariantCulture,
        $"'{fileName}' is {Size(bytes)} ({bytes:N0} bytes); a screenshot can be at most {Size(MaxBytes)} ({MaxBytes:N0} bytes). Crop it or save it as JPEG or WebP.");

    /// <summary>Why a file cannot be attached as it is, or null when it can (the per-entry count is the service's).</summary>
    public static string? Problem(string fileName, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return $"'{fileName}' is empty.";
        if (data.Length > MaxBytes) return TooLarge(fileName, data.Length);
        if (!HasImageExtension(fileName) || Sniff(data) is null)
            return $"'{fileName}' is not a PNG, JPEG, WebP or GIF image; only screenshots in those formats can be attached.";
        return null;
    }
}
