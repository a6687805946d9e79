using Signalbook;
using Signalbook.Account;
using Signalbook.Components;
using Signalbook.Data;
using Signalbook.Features.Journal;
using Signalbook.Jobs;
using Signalbook.Hosting;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Operations.Config;
using Signalbook.Features.Operations;

// Commands: (none) serve the app; "migrate" applies migrations and exits; "prepare" makes the database ready to serve
// (migrations, admin, demo data with --demo) and exits; "schema-script" prints the EF model's DDL; "bench <name>" points
// to the benchmark project. "--demo" seeds demo data.
var command = SignalbookCommand.Parse(args);
if (command.Kind == SignalbookCommand.Bench)
{
    Console.Error.WriteLine("Benchmarks moved to their own project: dotnet run -c Release --project App.Bench -- <name> [options]");
    Environment.ExitCode = 2;
    return;
}
if (command.Kind == SignalbookCommand.SchemaScript)
{
    Console.WriteLine(AppDbContextDesign.CreateScript());
    return;
}
var builder = WebApplication.CreateBuilder(command.HostArgs);
// Serve package assets (MudBlazor's CSS and JS) from a build output in any environment, not only
// Development; a published app has them in wwwroot and the call finds no manifest and does nothing.
builder.WebHost.UseStaticWebAssets();

builder.AddSignalbookDatabase();
builder.AddSignalbookRuntimeConfiguration(); // config_entries, over appsettings and environment variables
builder.AddSignalbookJobs();
OffsetClock.Use(builder);

if (command.Kind == SignalbookCommand.Migrate)
{
    await using var migrator = builder.Build();
    await migrator.Services.MigrateDatabaseAsync();
    await migrator.StopAsync();
    return;
}

builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents(o => o.DetailedErrors = builder.Environment.IsDevelopment());
builder.Services.AddHttpContextAccessor();
builder.Services.AddSignalbookUi();
builder.Services.AddSignalbookFeatures();
builder.Logging.AddSignalbookDatabase();
builder.AddSignalbookHosting(command);

var app = builder.Build();

try
{
    await app.PrepareDatabaseAsync(command);
}
catch
{
    await app.DisposeAsync(); // stops the private cluster, if any, before the error ends the process
    throw;
}
if (command.Kind == SignalbookCommand.Prepare)
{
    await app.DisposeAsync();
    return;
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}
app.UseSignalbookSecurityHeaders();
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseForwardedHeaders();
app.UseAuthentication();
app.UseSignalbookLogScope();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();
app.MapSignalbookAccount();
app.MapSignalbookHealth();
app.MapSignalbookRuntimeDiagnostics();
app.MapSignalbookJobs();
app.MapJournalAttachments();
app.MapSignalbookJournal();

app.Run();

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
