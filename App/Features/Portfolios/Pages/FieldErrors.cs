namespace Signalbook.Features.Portfolios.Pages;

/// <summary>
/// The messages a form shows under its fields: the service names the field (<see cref="TradingValidationException.Field"/>,
/// the C# property name) and the form puts the message under that input. A field the form does not have is shown as a
/// form-level message (<see cref="General"/>), so no error is ever lost.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _errors = new(StringComparer.Ordinal);

    /// <summary>A message for the whole form (an unknown field, not-found, forbidden).</summary>
    public string? General { get; set; }

    public bool Any => _errors.Count > 0 || General is not null;

    public bool Has(string field) => _errors.ContainsKey(field);

    public string? this[string field] => _errors.GetValueOrDefault(field);

    public void Set(string field, string message) => _errors[field] = message;

    /// <summary>Puts the exception's message under its field when the form shows that field, else as the general message.</summary>
    public void Set(TradingValidationException e, IReadOnlyCollection<string> fields)
    {
        if (fields.Contains(e.Field)) _errors[e.Field] = e.Message;
        else General = e.Message;
    }

    public void Clear(string field) => _errors.Remove(field);

    public void Clear()
    {
        _errors.Clear();
        General = null;
    }
}
