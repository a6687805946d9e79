namespace Signalbook.Tests.Infrastructure;

/// <summary>A clock the test moves by hand (the BCL's FakeTimeProvider package is not in our feed).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public ManualClock() : this(new DateTimeOffset(2026, 11, 20, 14, 30, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
