namespace Signalbook.Hosting;

/// <summary>The command line: <c>[migrate | schema-script] [--demo] [host options…]</c>.</summary>
public sealed record SignalbookCommand(string Kind, bool Demo, string[] HostArgs)
{
    public const string Serve = "serve";
    public const string Migrate = "migrate";

    /// <summary>Prints the DDL of the EF model: the starting point when writing the next migration file.</summary>
    public const string SchemaScript = "schema-script";

    public static SignalbookCommand Parse(string[] args)
    {
        var kind = Serve;
        var demo = false;
        var rest = new List<string>();
        foreach (var arg in args)
        {
            switch (arg)
            {
                case Migrate: kind = Migrate; break;
                case SchemaScript: kind = SchemaScript; break;
                case Serve: break;
                case "--demo": demo = true; break;
                default: rest.Add(arg); break;
            }
        }
        return new SignalbookCommand(kind, demo, rest.ToArray());
    }
}
