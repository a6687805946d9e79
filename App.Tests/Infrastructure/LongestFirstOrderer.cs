using Xunit.Abstractions;

[assembly: TestCollectionOrderer("Signalbook.Tests.Infrastructure.LongestFirstOrderer", "Signalbook.Tests")]

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// A test class whose tests take long, with the seconds they took in a full run here (2 cores). Its collection starts
/// first (<see cref="LongestFirstOrderer"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RunsLongAttribute(int seconds) : Attribute
{
    public int Seconds { get; } = seconds;
}

/// <summary>
/// Starts the longest test collections first. The collections run two at a time; started last, a 46-second class ran
/// alone at the end of the suite with the other core idle. Longest first, the short ones fill in beside the long ones.
/// Collections keep their default order otherwise (the sort is stable).
/// </summary>
public sealed class LongestFirstOrderer : ITestCollectionOrderer
{
    private const string PerClass = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderByDescending(Seconds);

    /// <summary>The class's <see cref="RunsLongAttribute"/> seconds for a class's own collection; 0 for the rest.</summary>
    private static int Seconds(ITestCollection collection)
    {
        if (collection.CollectionDefinition is not null || !collection.DisplayName.StartsWith(PerClass, StringComparison.Ordinal)) return 0;
        var type = typeof(LongestFirstOrderer).Assembly.GetType(collection.DisplayName[PerClass.Length..]);
        return type?.GetCustomAttributes(typeof(RunsLongAttribute), false).OfType<RunsLongAttribute>().FirstOrDefault()?.Seconds ?? 0;
    }
}
