using Microsoft.AspNetCore.Components;

namespace Signalbook.Components.Shared;

/// <summary>
/// Base of Signalbook's interactive components: a <see cref="CancellationToken"/> that is cancelled when the component
/// goes away (the user navigates, the circuit closes), so a slow query started by a page does not outlive it, and one
/// place for disposal. Override <see cref="DisposeAsyncCore"/> to release more.
/// </summary>
public abstract class SignalbookComponentBase : ComponentBase, IAsyncDisposable
{
    private CancellationTokenSource _cts;
    // The token is kept apart from its source: a page that reads it after an await, once it has been navigated away from
    // (disposed, its source disposed too), gets a cancelled token instead of an ObjectDisposedException that ends the circuit.
    private CancellationToken _token;
    private bool _disposed;

    protected SignalbookComponentBase()
    {
        _cts = new CancellationTokenSource();
        _token = _cts.Token;
    }

    [Inject] private IServiceProvider ComponentServices { get; set; } = default!;

    /// <summary>
    /// Cancelled when the component is disposed, and when the app begins to stop: a circuit's work ends before the jobs
    /// and the private database do (a clean Ctrl+C or SIGTERM). Pass it to every service call.
    /// </summary>
    protected CancellationToken Cancellation => _token;

    protected override void OnInitialized()
    {
        if (ComponentServices.GetService<IHostApplicationLifetime>() is { } lifetime)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            (_cts, var old) = (linked, _cts);
            _token = linked.Token;
            old.Dispose();
        }
        base.OnInitialized();
    }

    protected bool IsDisposed => _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _cts.CancelAsync();
        await DisposeAsyncCore();
        _cts.Dispose();
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    /// <summary>True when an exception is only the component going away (not worth a message).</summary>
    protected bool IsCancellation(Exception e) => e is OperationCanceledException && _cts.IsCancellationRequested;
}
