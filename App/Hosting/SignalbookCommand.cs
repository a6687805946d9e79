namespace Signalbook.Hosting;

/// <summary>The command line: <c>[migrate | prepare | schema-script | bench &lt;name&gt; [options…]] [--demo] [host options…]</c>.</summary>
public sealed record SignalbookCommand(string Kind, bool Demo, string[] HostArgs)
{
    public const string Serve = "serve";
    public const string Migrate = "migrate";

    /// <summary>
    /// Does everything a start does before serving (migrations, the data-protection key, the admin, with <c>--demo</c> or
    /// Demo:Seed the demo data) and exits: a database made once this way can be copied for each test server.
    /// </summary>
    public const string Prepare = "prepare";

    /// <summary>Prints the DDL of the EF model: the starting point when writing the next migration file.</summary>
    public const string SchemaScript = "schema-script";

    /// <summary>Runs a benchmark (<c>bench ingest</c>, <c>bench features</c> …); the arguments after the word go to it.</summary>
    public const string Bench = "bench";

    public static SignalbookCommand Parse(string[] args)
    {
        if (args.Length > 0 && args[0] == Bench) return new SignalbookCommand(Bench, false, args[1..]);
        var kind = Serve;
        var demo = false;
        var rest = new List<string>();
        foreach (var arg in args)
        {
            switch (arg)
            {
                case Migrate: kind = Migrate; break;
                case Prepare: kind = Prepare; break;
                case SchemaScript: kind = SchemaScript; break;
                case Serve: break;
                case "--demo": demo = true; break;
                default: rest.Add(arg); break;
            }
        }
        return new SignalbookCommand(kind, demo, rest.ToArray());
    }
}
