using Microsoft.Extensions.Options;

namespace Signalbook.Hosting;

/// <summary>An <see cref="IOptionsMonitor{T}"/> over one fixed value, for code built by hand (benches, tests) that does not change at run time.</summary>
public sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
