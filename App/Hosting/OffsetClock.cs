using System.Globalization;

namespace Signalbook.Hosting;

/// <summary>
/// The app's clock for end-to-end tests that step through days: the system time plus an offset read from the file named by
/// <c>Testing:ClockOffsetFile</c> (a TimeSpan such as <c>-6.00:00:00</c>; missing or empty means zero), re-read when the
/// file changes. Everything time-dependent in Signalbook (sessions, bars, the paper broker, jobs' records) runs on the
/// app's TimeProvider, so moving this clock moves the whole app. Unset, the app uses <see cref="TimeProvider.System"/>.
/// </summary>
public sealed class OffsetClock(string path) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTime _stamp = DateTime.MinValue;
    private TimeSpan _offset;
    private long _checkedAt;

    public static void Use(WebApplicationBuilder builder)
    {
        var path = builder.Configuration["Testing:ClockOffsetFile"];
        builder.Services.AddSingleton(string.IsNullOrWhiteSpace(path) ? TimeProvider.System : new OffsetClock(path));
    }

    public TimeSpan Offset
    {
        get
        {
            var tick = Environment.TickCount64;
            lock (_gate)
            {
                if (tick - _checkedAt < 200) return _offset; // at most five file checks a second
                _checkedAt = tick;
                var stamp = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
                if (stamp == _stamp) return _offset;
                _stamp = stamp;
                var text = stamp == DateTime.MinValue ? "" : File.ReadAllText(path).Trim();
                _offset = text.Length == 0 ? TimeSpan.Zero
                    : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var o) ? o
                    : throw new FormatException($"{path} must hold a TimeSpan such as -6.00:00:00; it holds '{text}'.");
                return _offset;
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
