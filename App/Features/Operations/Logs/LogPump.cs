using Signalbook.Features.Operations.Errors;

namespace Signalbook.Features.Operations.Logs;

/// <summary>Runs the log writer and the error capture in the background; on shutdown, writes what is still queued.</summary>
public sealed class LogPump(LogSink sink, ErrorCapture errors) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Loop(sink.RunAsync, stoppingToken), Loop(errors.RunAsync, stoppingToken));

    private static async Task Loop(Func<CancellationToken, Task> run, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await run(ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Each write already counts its own failures; anything else must not stop the loop for good.
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await errors.FlushAsync(timeout.Token);
            await sink.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutdown does not wait longer for logs.
        }
    }
}
