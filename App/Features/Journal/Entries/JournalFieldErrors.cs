namespace Signalbook.Features.Journal.Entries;

/// <summary>One problem with a journal form, on its field (the field names are the form's, e.g. "content", "tags").</summary>
public sealed record JournalFieldError(string Field, string Message);

/// <summary>
/// Every problem of a journal form at once (entries, rules, pre-trade plans), so a page shows each on its own field;
/// nothing was written. <see cref="JournalValidationException"/> carries one field, this carries all of them.
/// </summary>
public sealed class JournalFormException(IReadOnlyList<JournalFieldError> errors) : Exception(string.Join(" ", errors.Select(e => e.Message)))
{
    public IReadOnlyList<JournalFieldError> Errors { get; } = errors;

    /// <summary>The message of the first error on <paramref name="field"/>, or null.</summary>
    public string? On(string field) => Errors.FirstOrDefault(e => e.Field == field)?.Message;

    public static void ThrowIfAny(List<JournalFieldError> errors)
    {
        if (errors.Count > 0) throw new JournalFormException(errors);
    }
}
