// Signalbook's sticky reverse proxy for several app nodes on one database (README: "Scale-out").
// Everything is configuration (appsettings.json, overridden by environment variables such as
// ReverseProxy__Clusters__signalbook__Destinations__node1__Address=http://app:8080), so docker compose's
// `scale` profile and the two-node browser test run the very same proxy.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();

// The proxy's own liveness, answered here (never proxied): the test fixture and a container probe ask it.
app.MapGet("/_proxy/health", () => Results.Ok(new { status = "ok" }));

// The default pipeline: session affinity (a circuit stays on the node that holds it), load balancing among the
// available destinations, and passive health checks beside the active ones configured in appsettings.json.
app.MapReverseProxy();

app.Run();
