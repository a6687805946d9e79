using Signalbook.Hosting;

namespace Signalbook.Tests.Hosting;

/// <summary>The app's command line: the command word, --demo, and what goes on to the host.</summary>
public sealed class SignalbookCommandTests
{
    [Theory]
    [InlineData(new string[0], SignalbookCommand.Serve, false)]
    [InlineData(new[] { "--demo" }, SignalbookCommand.Serve, true)]
    [InlineData(new[] { "migrate" }, SignalbookCommand.Migrate, false)]
    [InlineData(new[] { "prepare", "--demo" }, SignalbookCommand.Prepare, true)]
    [InlineData(new[] { "--demo", "prepare" }, SignalbookCommand.Prepare, true)]
    [InlineData(new[] { "schema-script" }, SignalbookCommand.SchemaScript, false)]
    public void Parse_FindsTheCommandAndDemo_AnywhereOnTheLine(string[] args, string kind, bool demo)
    {
        var command = SignalbookCommand.Parse(args);

        Assert.Equal(kind, command.Kind);
        Assert.Equal(demo, command.Demo);
        Assert.Empty(command.HostArgs);
    }

    [Fact]
    public void Parse_PassesTheHostsOwnOptionsThrough_AndBenchTakesEverythingAfterIt()
    {
        var prepare = SignalbookCommand.Parse(["prepare", "--contentRoot", "/srv/app", "--demo"]);
        Assert.Equal(["--contentRoot", "/srv/app"], prepare.HostArgs);

        var bench = SignalbookCommand.Parse(["bench", "journal", "--demo"]);
        Assert.Equal(SignalbookCommand.Bench, bench.Kind);
        Assert.False(bench.Demo);
        Assert.Equal(["journal", "--demo"], bench.HostArgs);
    }
}
