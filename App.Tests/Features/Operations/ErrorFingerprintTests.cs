using System.Runtime.CompilerServices;
using Signalbook.Features.Operations.Errors;

namespace Signalbook.Tests.Features.Operations;

public sealed class ErrorFingerprintTests
{
    private const string StackV1 = """
           at Signalbook.Features.Journal.Import.FillImportService.<ImportAsync>b__12_0(ParsedFill f) in /src/App/Features/Journal/Import/FillImportService.cs:line 71
           at System.Linq.Enumerable.SelectListIterator`2.MoveNext()
           at Signalbook.Features.Journal.Import.FillImportService.ImportAsync(JournalCaller caller, ImportRequest request, CancellationToken ct) in /src/App/Features/Journal/Import/FillImportService.cs:line 88
        --- End of stack trace from previous location ---
           at Signalbook.Features.Journal.Import.Pages.ImportPage.<>c__DisplayClass31_0.<<ImportAsync>g__Run|2>d.MoveNext() in /src/App/Features/Journal/Import/Pages/ImportPage.razor:line 301
           at Microsoft.AspNetCore.Components.ComponentBase.CallStateHasChangedOnAsyncCompletion(Task task)
        """;

    // The same code after an edit: other line numbers, other compiler ordinals, another build path.
    private const string StackV2 = """
           at Signalbook.Features.Journal.Import.FillImportService.<ImportAsync>b__14_1(ParsedFill f) in /build/App/Features/Journal/Import/FillImportService.cs:line 75
           at System.Linq.Enumerable.SelectListIterator`2.MoveNext()
           at Signalbook.Features.Journal.Import.FillImportService.ImportAsync(JournalCaller caller, ImportRequest request, CancellationToken ct) in /build/App/Features/Journal/Import/FillImportService.cs:line 97
        --- End of stack trace from previous location ---
           at Signalbook.Features.Journal.Import.Pages.ImportPage.<>c__DisplayClass33_0.<<ImportAsync>g__Run|5>d.MoveNext() in /build/App/Features/Journal/Import/Pages/ImportPage.razor:line 310
           at Microsoft.AspNetCore.Components.ComponentBase.CallStateHasChangedOnAsyncCompletion(Task task)
        """;

    [Fact]
    public void Fingerprint_IgnoresLineNumbersPathsAndCompilerOrdinals_ButNotTheTypeOrTheCode()
    {
        Assert.Equal(ErrorFingerprint.Compute("System.InvalidOperationException", StackV1), ErrorFingerprint.Compute("System.InvalidOperationException", StackV2));
        Assert.NotEqual(ErrorFingerprint.Compute("System.InvalidOperationException", StackV1), ErrorFingerprint.Compute("System.ArgumentException", StackV1));
        var elsewhere = StackV1.Replace("FillImportService.ImportAsync(", "FillImportService.PreviewAsync(", StringComparison.Ordinal);
        Assert.NotEqual(ErrorFingerprint.Compute("System.InvalidOperationException", StackV1), ErrorFingerprint.Compute("System.InvalidOperationException", elsewhere));
        Assert.Equal(32, ErrorFingerprint.Compute("X", StackV1).Length);
    }

    [Fact]
    public void TopFrames_AreTheAppsOwnFrames_Normalised()
    {
        Assert.Equal(
        [
            "Signalbook.Features.Journal.Import.FillImportService.<ImportAsync>b__",
            "Signalbook.Features.Journal.Import.FillImportService.ImportAsync",
            "Signalbook.Features.Journal.Import.Pages.ImportPage.<>c__DisplayClass.<<ImportAsync>g__Run|>d.MoveNext",
        ], ErrorFingerprint.TopFrames(StackV1));
        Assert.Equal(["System.Text.Json.JsonSerializer.Deserialize"], ErrorFingerprint.TopFrames("   at System.Text.Json.JsonSerializer.Deserialize(String json)"));
        Assert.Empty(ErrorFingerprint.TopFrames(null));
    }

    [Fact]
    public void ThrownExceptions_FromOnePlace_ShareAFingerprint_WhateverTheirMessage()
    {
        var first = Catch(() => Fail("order 1 rejected"));
        var second = Catch(() => Fail("order 2 rejected: another message entirely"));
        var other = Catch(() => FailElsewhere("order 1 rejected"));
        Assert.Equal(ErrorFingerprint.Of(first), ErrorFingerprint.Of(second));
        Assert.NotEqual(ErrorFingerprint.Of(first), ErrorFingerprint.Of(other));
        // A wrapper that only carries the real error is looked through.
        Assert.Equal(ErrorFingerprint.Of(first), ErrorFingerprint.Of(new AggregateException(first)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(string message) => throw new InvalidOperationException(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailElsewhere(string message) => throw new InvalidOperationException(message);

    private static Exception Catch(Action act)
    {
        try
        {
            act();
        }
        catch (Exception e)
        {
            return e;
        }
        throw new InvalidOperationException("did not throw");
    }
}
