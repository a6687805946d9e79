namespace Signalbook.Tests.Features.Journal.Import.Eu;

/// <summary>
/// Every sample of the European formats: the fills and row problems it must give, counted by hand from the file
/// (the comment says how).
/// </summary>
public class EuFillCountTests
{
    public static TheoryData<string, string, int, int> Files() => new()
    {
        // DEGIRO statement: rows whose description is "Koop/Verkoop/Compra/Achat/Sell n @ p CUR" or a money market
        // fund conversion: VICI, BANK NOVA SCOTIA, VANGUARD FTSE AW ×2, FBR, AMC, ISHARES NASDAQ BIOTECH, ISHARES KOREA,
        // ISHARES MSCI WOR A ×2, QT GROUP, AVIVA, TOYOTA, EUR CASH FUND = 14 (the two PRODUCTWIJZIGING rows and the
        // STOCK DIVIDEND row are corporate actions). One problem: AMC's €1 fee on a USD trade with no FX row.
        { "export-to-ghostfolio-samples/degiro-export.csv", "degiro-csv", 14, 1 },
        { "ghostfoliosidekick/DeGiro/EN/BuyOrders/single_buy_marketfund.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/EN/BuyOrders/single_buy_usd.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/EN/SellOrders/single_sell_marketfund.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro_en_headers.csv", "degiro-csv", 1, 0 },
        // Two "Koop" rows of one order (34 and 4 shares).
        { "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro_multipart.csv", "degiro-csv", 2, 0 },
        { "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro_whole_number.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_usd.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/SellOrders/single_sell_euro.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/SellOrders/single_sell_usd.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/PT/BuyOrders/single_buy_GBX.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/PT/BuyOrders/single_buy_euro.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/PT/SellOrders/single_sell_euro.csv", "degiro-csv", 1, 0 },
        { "ghostfoliosidekick/DeGiro/NL/Invalid/no_description.csv", "degiro-csv", 0, 1 },

        // Trading 212: Market buy ×3 (CSCO, VICI, ASTS) + Market sell (ASTR) = 4; dividends, interest, deposit,
        // stock distribution, transfer and split rows are not trades.
        { "export-to-ghostfolio-samples/trading212-export.csv", "trading212-csv", 4, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_equity_rights.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_finra_fee.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_french_taxes.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_uk_taxes.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_gbp.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_usd.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_buy_usd_time_utc.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/BuyOrders/single_limitbuy_usd.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/SellOrders/single_limitsell_euro.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/SellOrders/single_sell_euro.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/SellOrders/single_stopsell_euro.csv", "trading212-csv", 1, 0 },
        { "ghostfoliosidekick/Trading212/Invalid/invalid_action.csv", "trading212-csv", 0, 1 },
        { "ghostfoliosidekick/Trading212/Invalid/invalid_note.csv", "trading212-csv", 0, 1 },

        { "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_buy_euro.csv", "scalable-capital-csv", 1, 0 },
        { "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_buy_euro_pending.csv", "scalable-capital-csv", 0, 0 },
        { "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_buy_euro_tax.csv", "scalable-capital-csv", 1, 0 },
        { "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_savingsplan.csv", "scalable-capital-csv", 1, 0 },
        { "ghostfoliosidekick/ScalableCapital/Prime/SellOrders/single_sell_euro.csv", "scalable-capital-csv", 1, 0 },
        { "ghostfoliosidekick/ScalableCapital/Prime/Invalid/invalid_type.csv", "scalable-capital-csv", 0, 1 },

        // Aankoop ×2 + Verkoop + Buy ×2 + Sell = 6.
        { "export-to-ghostfolio-samples/traderepublic-export.csv", "traderepublic-csv", 6, 0 },
        // Rows of Type "Trade"/"Transactie": 1 sell + 11 buys = 12.
        { "export-to-ghostfolio-samples/saxo-export.csv", "saxo-csv", 12, 0 },
        // Open Position AMD, SLAB, SWKS + Position closed OLED, AMAT, AMD = 6 stock fills; the three CFD rows are problems.
        { "export-to-ghostfolio-samples/etoro-export.csv", "etoro-csv", 6, 3 },
        // BUY - MARKET O, TSLA, MSFT + SELL - MARKET MA = 4.
        { "export-to-ghostfolio-samples/revolut-invest-export.csv", "revolut-invest-csv", 4, 0 },
        // Buy ×6 + Sell ×1 = 7 (Send, Receive, Stake and staking rewards are not trades).
        { "export-to-ghostfolio-samples/revolut-crypto-export.csv", "revolut-crypto-csv", 7, 0 },
        // OPEN/CLOSE comments: SPYL ×7, ZAL ×2, GOOGL ×2 = 11; the three distinct .UK rows are problems (currency
        // unknown); their repeats later in the file are duplicates of the same IDs.
        { "export-to-ghostfolio-samples/xtb-export.csv", "xtb-csv", 11, 3 },
        // Buy Trade ×4 + Sell Trade ×1 = 5.
        { "export-to-ghostfolio-samples/bux-export.csv", "bux-csv", 5, 0 },
        // Köp ×3 + Sälj ×1 = 4.
        { "export-to-ghostfolio-samples/avanza-export.csv", "avanza-csv", 4, 0 },
        // Acquisto ×10 + Vendita ×1 = 11; "Pippo" and the row with no operation type are problems.
        { "export-to-ghostfolio-samples/directa-export.csv", "directa-csv", 11, 2 },
        // Koop Fondsen ×5 + Verkoop Fondsen ×1 = 6.
        { "export-to-ghostfolio-samples/rabobank-export.csv", "rabobank-csv", 6, 0 },
        // ORDER ×3 + FREESHARE_ORDER ×1 = 4.
        { "export-to-ghostfolio-samples/freetrade-export.csv", "freetrade-csv", 4, 0 },
        // Buy ×4 + Sell ×1 = 5.
        { "export-to-ghostfolio-samples/investengine-export.csv", "investengine-csv", 5, 0 },
        // Buy ORFN, XDWU, KROP ×2, WENS + Sell VDEM, VWRD, VEUD, WDSC ×2 = 10.
        { "export-to-ghostfolio-samples/swissquote-export.csv", "swissquote-csv", 10, 0 },
        // 2023-07-11: 4 Buy + 3 Sell; 2023-05-16: 7 Buy + 1 Sell = 15.
        { "export-to-ghostfolio-samples/finpension-3a-export.csv", "finpension-csv", 15, 0 },
        // Two "Portfolio Transaction" rows.
        { "export-to-ghostfolio-samples/finpension-bvg-export.csv", "finpension-csv", 2, 0 },
        // "Fil" events with a trade id: orders 6750, 9202, 9359, 10938, 12753, 13375 one each, 13268 five, 21368
        // four = 15 (orders 9058 and 12779 expired unfilled).
        { "export-to-ghostfolio-samples/investimental-export.csv", "investimental-csv", 15, 0 },
        // SELL SOL + BUY AAPL = 2; BUY ETH's fee is in BNB on a BTC price: a problem.
        { "export-to-ghostfolio-samples/delta-export.csv", "delta-csv", 2, 1 },
        // VENTE ×1 + ACHAT ×6 = 7.
        { "export-to-ghostfolio-samples/disnat-export.csv", "disnat-csv", 7, 0 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Parse_Sample_GivesTheHandCountedFillsAndProblems(string sample, string formatId, int fills, int problems)
    {
        var result = EuSamples.Parse(formatId, sample);

        Assert.Equal(fills, result.Fills.Count);
        Assert.Equal(problems, result.Problems.Count);
        Assert.Equal(result.Fills.OrderBy(f => f.ExecutedAt).Select(f => f.Line), result.Fills.Select(f => f.Line));
        Assert.All(result.Fills, f =>
        {
            Assert.True(f.Quantity > 0);
            Assert.True(f.Price >= 0);
            Assert.True(f.Fees >= 0);
            Assert.Equal(TimeSpan.Zero, f.ExecutedAt.Offset);
            Assert.False(string.IsNullOrWhiteSpace(f.Symbol));
            Assert.Equal(3, f.Currency.Length);
            Assert.NotEmpty(f.Raw);
        });
    }

    public static TheoryData<string, string, string> NonTradeFiles() => new()
    {
        { "ghostfoliosidekick/DeGiro/EN/CashTransactions/single_dividend.csv", "degiro-csv", "dividend=1,tax=1" },
        { "ghostfoliosidekick/DeGiro/EN/CashTransactions/single_dividend_marketfund.csv", "degiro-csv", "dividend=1" },
        { "ghostfoliosidekick/DeGiro/NL/CashTransactions/single_deposit.csv", "degiro-csv", "deposit=1" },
        { "ghostfoliosidekick/DeGiro/NL/CashTransactions/single_dividend.csv", "degiro-csv", "dividend=1,tax=1" },
        { "ghostfoliosidekick/DeGiro/NL/CashTransactions/single_dividend_notax.csv", "degiro-csv", "dividend=1" },
        { "ghostfoliosidekick/DeGiro/NL/CashTransactions/single_withdrawal.csv", "degiro-csv", "withdrawal=1" },
        { "ghostfoliosidekick/DeGiro/PT/CashTransactions/single_deposit.csv", "degiro-csv", "deposit=1" },
        { "ghostfoliosidekick/DeGiro/PT/CashTransactions/single_fee.csv", "degiro-csv", "fee=1" },
        { "ghostfoliosidekick/DeGiro/PT/CashTransactions/single_interest.csv", "degiro-csv", "interest=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_card_credit.csv", "trading212-csv", "card=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_card_debit.csv", "trading212-csv", "card=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_cashback.csv", "trading212-csv", "card=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_convert_currencies.csv", "trading212-csv", "fx=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_deposit.csv", "trading212-csv", "deposit=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_dividend.csv", "trading212-csv", "dividend=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_dividend_gbp.csv", "trading212-csv", "dividend=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_interest.csv", "trading212-csv", "interest=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_lending_shares.csv", "trading212-csv", "interest=1" },
        { "ghostfoliosidekick/Trading212/CashTransactions/single_withdrawal.csv", "trading212-csv", "withdrawal=1" },
        { "ghostfoliosidekick/Trading212/Specials/single_dividend_adjustment.csv", "trading212-csv", "dividend=1" },
        { "ghostfoliosidekick/Trading212/Specials/single_scrip_stock_dividend.csv", "trading212-csv", "stock-dividend=1" },
        { "ghostfoliosidekick/Trading212/Specials/single_stock_dividend.csv", "trading212-csv", "stock-dividend=1" },
        { "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_buy_euro_pending.csv", "scalable-capital-csv", "pending-order=1" },
        { "ghostfoliosidekick/ScalableCapital/Prime/CashTransactions/single_deposit.csv", "scalable-capital-csv", "deposit=1" },
        { "ghostfoliosidekick/ScalableCapital/Prime/CashTransactions/single_dividend.csv", "scalable-capital-csv", "dividend=1" },
        { "ghostfoliosidekick/ScalableCapital/Prime/CashTransactions/single_withdrawal.csv", "scalable-capital-csv", "withdrawal=1" },
    };

    [Theory]
    [MemberData(nameof(NonTradeFiles))]
    public void Parse_FileWithoutTrades_GivesNoFillsAndCountsTheSkippedKinds(string sample, string formatId, string skipped)
    {
        var result = EuSamples.Parse(formatId, sample);

        Assert.Empty(result.Fills);
        Assert.Empty(result.Problems);
        Assert.Equal(skipped, string.Join(',', result.SkippedNonTrades.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));
    }

    [Theory]
    [InlineData("ghostfoliosidekick/DeGiro/NL/Invalid/no_description.csv", "degiro-csv", 2, "Omschrijving")]
    [InlineData("ghostfoliosidekick/Trading212/Invalid/invalid_action.csv", "trading212-csv", 2, "Action")]
    [InlineData("ghostfoliosidekick/Trading212/Invalid/invalid_note.csv", "trading212-csv", 2, "Notes")]
    [InlineData("ghostfoliosidekick/ScalableCapital/Prime/Invalid/invalid_type.csv", "scalable-capital-csv", 2, "type")]
    public void Parse_InvalidSample_ReportsTheRowWithItsLineAndColumn(string sample, string formatId, int line, string column)
    {
        var result = EuSamples.Parse(formatId, sample);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Equal(column, problem.Column);
        Assert.Empty(result.Fills);
    }
}
