using Signalbook.Bench;

// dotnet run -c Release --project App.Bench -- <name> [options]: runs one benchmark and exits; without a name, lists them.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await BenchRunner.RunAsync(args, cancel.Token);
