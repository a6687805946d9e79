namespace Signalbook.Tests.Infrastructure;

/// <summary>The in-process app fixture itself: how xunit ends it.</summary>
public sealed class AppFactoryTests
{
    [Fact]
    public async Task DisposedEveryWayXunitDoes_AtOnce_TheAppStopsOnce_WithoutAnError()
    {
        var app = new AppFactory();
        await ((IAsyncLifetime)app).InitializeAsync();
        using (var client = app.CreateClient()) Assert.True((await client.GetAsync("/health")).IsSuccessStatusCode);

        // As IAsyncLifetime, as IAsyncDisposable and as IDisposable, side by side: one stop of the host, no exception.
        await Task.WhenAll(((IAsyncLifetime)app).DisposeAsync(), app.DisposeAsync().AsTask(), Task.Run(app.Dispose));

        Assert.Throws<ObjectDisposedException>(() => app.Services.GetService(typeof(TimeProvider)));
    }
}
