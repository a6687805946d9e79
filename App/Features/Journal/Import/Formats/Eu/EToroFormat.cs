namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// eToro's account statement ("Account Activity" sheet saved as CSV): "Open Position" buys and "Position closed"
/// sells, with the amount in dollars and the units, so the price is amount ÷ units; the instrument is "TICKER/CCY".
/// Times are UTC, day first. Open and close share the position id, so the fill ids are "id:open" / "id:close".
/// CFD rows are reported, not imported: their units and amounts are leveraged and do not give a share price.
/// </summary>
public sealed class EToroFormat : IBrokerFileFormat
{
    public string Id => "etoro-csv";
    public string Broker => "eToro";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Date", "Type", "Details", "Amount", "Units", "Realized Equity Change", "Position ID");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("UTC");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type"]?.ToLowerInvariant() ?? "";
            FillSide? side = type switch { "open position" => FillSide.Buy, "position closed" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(type switch
                {
                    _ when type.Contains("dividend") => "dividend",
                    _ when type.Contains("interest") => "interest",
                    _ when type.Contains("withdraw") && type.Contains("fee") => "fee",
                    _ when type.Contains("withdraw") => "withdrawal",
                    _ when type.Contains("deposit") => "deposit",
                    _ when type.Contains("overnight") => "cfd",
                    _ when type.Contains("fee") || type == "sdrt" => "fee",
                    _ => "other",
                });
                continue;
            }
            if (row["Asset type"]?.Equals("CFD", StringComparison.OrdinalIgnoreCase) == true)
            {
                result.Problem(row.Line, "a CFD position: its units and amount are leveraged, so no share price can be read", "Asset type");
                continue;
            }
            if (!EuCsv.TryDate(row["Date"], out var local, "dd/MM/yyyy HH:mm:ss"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Units"], out var units) || units == 0 || !EuCsv.TryDecimal(row["Amount"], out var amount))
            {
                result.Problem(row.Line, "unreadable units or amount", "Units");
                continue;
            }
            var details = row["Details"] ?? "";
            var slash = details.IndexOf('/');
            if (slash <= 0)
            {
                result.Problem(row.Line, $"unreadable instrument '{details}'", "Details");
                continue;
            }
            var crypto = row["Asset type"]?.Equals("Crypto", StringComparison.OrdinalIgnoreCase) == true;
            var position = row["Position ID"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = details[..slash],
                Side = side.Value,
                Quantity = Math.Abs(units),
                Price = Math.Round(Math.Abs(amount) / Math.Abs(units), 6),
                Currency = "USD",
                AssetType = crypto ? FillAssetType.Crypto : FillAssetType.Equity,
                ExecutedAt = EuCsv.ToUtc(local, zone),
                OrderId = position,
                ExternalTradeId = position is null ? null : $"{position}:{(side == FillSide.Buy ? "open" : "close")}",
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
