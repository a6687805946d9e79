using System.Runtime.InteropServices;
using Signalbook.Bench;

// dotnet run -c Release --project App.Bench -- <name> [options]: runs one benchmark and exits; without a name, lists them.
// Ctrl+C and SIGTERM (`timeout`, a CI stop) both cancel the run, so each bench still removes its temp folder and stops its
// PostgreSQL. SIGTERM can come twice (`timeout` signals the whole process group, and a bench that started itself again
// under the server collector passes it on): every one only cancels. SIGKILL remains for a bench that will not stop.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
return await BenchRunner.RunAsync(args, cancel.Token);
