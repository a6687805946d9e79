using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal;

/// <summary>trade_fills.source: how a fill reached the ledger.</summary>
public enum FillSource
{
    BrokerSynced,
    Manual,
    FileImport,
}

/// <summary>A trader's SnapTrade identity (trading-buddy seed); the user secret is encrypted with Data Protection.</summary>
public sealed class SnapTradeUser
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string SnapTradeUserId { get; set; } = "";
    public string ProtectedSecret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A brokerage account connected through SnapTrade (an authorisation), synced into fills by a job.</summary>
public sealed class BrokerConnection
{
    public long Id { get; set; }
    public long SnapTradeUserId { get; set; }

    /// <summary>The owner, denormalised from snaptrade_users so every query scopes by user directly.</summary>
    public Guid UserId { get; set; }

    public string BrokerageName { get; set; } = "";
    public string BrokerageSlug { get; set; } = "";
    public string AuthorizationId { get; set; } = "";
    public string Meta { get; set; } = "{}";
    public bool IsActive { get; set; } = true;
    public DateTimeOffset? LastSyncedAt { get; set; }

    /// <summary>success, failed, expired (the authorisation must be renewed by the trader).</summary>
    public string? LastSyncStatus { get; set; }

    public string? LastSyncError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One file import: what was read, what was added and what was a duplicate. Undo deletes its fills and keeps this row.</summary>
public sealed class ImportBatch
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string FileName { get; set; } = "";
    public string FormatId { get; set; } = "";
    public string Broker { get; set; } = "";
    public string FileSha256 { get; set; } = "";
    public int FileSize { get; set; }
    public int FillsRead { get; set; }
    public int FillsAdded { get; set; }
    public int FillsDuplicate { get; set; }
    public int RowsSkipped { get; set; }

    /// <summary>imported, undone.</summary>
    public string Status { get; set; } = ImportBatchStatus.Imported;

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? UndoneAt { get; set; }
}

public static class ImportBatchStatus
{
    public const string Imported = "imported";
    public const string Undone = "undone";
}

/// <summary>
/// An executed fill (trading-buddy seed's trade_fills): an immutable ledger. A correction never edits a row: it adds a
/// reversal (<see cref="ReversesFillId"/>) and, when the trader gives corrected values, a replacement
/// (<see cref="ReplacesFillId"/>). Campaigns leave a reversed fill and its reversal out.
/// </summary>
public sealed class TradeFill
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public long? BrokerConnectionId { get; set; }
    public long? InstrumentId { get; set; }
    public string Symbol { get; set; } = "";
    public FillSide Side { get; set; }
    public decimal Quantity { get; set; }
    public decimal Price { get; set; }
    public decimal Fees { get; set; }
    public DateTimeOffset ExecutedAt { get; set; }
    public string? Broker { get; set; }
    public FillAssetType AssetType { get; set; }
    public string Currency { get; set; } = "USD";
    public string? OrderId { get; set; }
    public string? Venue { get; set; }
    public string ExternalTradeId { get; set; } = "";
    public FillSource Source { get; set; }
    public long? ImportBatchId { get; set; }
    public string? RawData { get; set; }
    public string? Isin { get; set; }
    public decimal Multiplier { get; set; } = 1m;
    public string? OptionUnderlying { get; set; }
    public DateOnly? OptionExpiry { get; set; }
    public decimal? OptionStrike { get; set; }
    public OptionRight? OptionRight { get; set; }
    public long? ReversesFillId { get; set; }
    public long? ReplacesFillId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The trader's reasoning at a fill (one-to-one), with a snapshot of what Signalbook knew then.</summary>
public sealed class DecisionContext
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public long FillId { get; set; }

    /// <summary>entry, add, reduce, exit, idea, post_trade_reflection.</summary>
    public string ContextType { get; set; } = "";

    public long? StrategyId { get; set; }
    public string? Hypothesis { get; set; }

    /// <summary>{"stop": …, "target": …, "time_stop": "…"}.</summary>
    public string? ExitIntent { get; set; }

    /// <summary>{"emotions": ["calm", …], "intensity": 1-5}.</summary>
    public string? FeelingsThen { get; set; }

    public string? FeelingsNow { get; set; }
    public string? Notes { get; set; }

    /// <summary>Features, regime and the active recommendation for the trader's profile at the fill's time (no later data).</summary>
    public string? Snapshot { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A behavioural check's outcome on a decision context, with its nudge and what the trader did.</summary>
public sealed class CampaignCheck
{
    public long Id { get; set; }
    public long DecisionContextId { get; set; }
    public Guid UserId { get; set; }
    public string CheckType { get; set; } = "";

    /// <summary>info, warn, critical.</summary>
    public string Severity { get; set; } = "";

    public bool Passed { get; set; }
    public string? Details { get; set; }
    public string? NudgeText { get; set; }
    public bool Acknowledged { get; set; }

    /// <summary>proceeded, modified, cancelled.</summary>
    public string? TraderAction { get; set; }

    public DateTimeOffset CheckedAt { get; set; }

    /// <summary>pre_trade, at_entry, during, at_exit, post_trade.</summary>
    public string CheckPhase { get; set; } = "";
}

/// <summary>A fill's membership of a campaign (FIFO zero-crossing); a flip fill has two rows with its quantity split.</summary>
public sealed class CampaignFill
{
    public long Id { get; set; }
    public long GroupId { get; set; }
    public long FillId { get; set; }

    /// <summary>The part of the fill's quantity that belongs to this campaign (all of it unless the fill flips the position).</summary>
    public decimal Quantity { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// A derived cache of each campaign's figures, rewritten with its campaign_fills rows, so the trades grid, the
/// calendar and the statistics page read one row per campaign instead of replaying fills. Never a source of truth.
/// </summary>
public sealed class CampaignSummary
{
    public long GroupId { get; set; }
    public Guid UserId { get; set; }
    public string Symbol { get; set; } = "";
    public FillAssetType AssetType { get; set; }

    /// <summary>long, short.</summary>
    public string Direction { get; set; } = "";

    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public decimal EntryAverage { get; set; }
    public decimal? ExitAverage { get; set; }
    public decimal MaxPosition { get; set; }
    public decimal OpenQuantity { get; set; }
    public decimal RealisedPnl { get; set; }
    public double? ReturnPct { get; set; }
    public decimal Fees { get; set; }
    public double? RMultiple { get; set; }
    public decimal? Mae { get; set; }
    public decimal? Mfe { get; set; }
    public int FillCount { get; set; }
    public string Currency { get; set; } = "USD";
    public long? StrategyId { get; set; }
    public string? Regime { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A daily or per-trade journal note in Markdown, with tags and mood.</summary>
public sealed class JournalEntry
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateOnly Date { get; set; }

    /// <summary>daily, trade, weekly, lesson.</summary>
    public string EntryType { get; set; } = "";

    public string Content { get; set; } = "";

    /// <summary>The campaign (group id) a per-trade note is about.</summary>
    public string? TradeId { get; set; }

    public string Tags { get; set; } = "[]";
    public string? Mood { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A screenshot or chart snapshot attached to a journal entry, stored in the database within a size limit.</summary>
public sealed class JournalAttachment
{
    public long Id { get; set; }
    public long JournalEntryId { get; set; }
    public Guid UserId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public int SizeBytes { get; set; }
    public byte[] Data { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A trader's own rule (trading-buddy seed's user_rules): which evaluator, its parameters, on or off.</summary>
public sealed class UserRule
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string RuleCode { get; set; } = "";
    public string Evaluator { get; set; } = "";
    public string Parameters { get; set; } = "{}";
    public bool IsEnabled { get; set; } = true;
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A trade the trader plans, checked before it is placed (pre-trade check). Its outcomes are kept here because
/// campaign_checks need a fill's decision context; when the fill arrives and is linked, they are copied there.
/// </summary>
public sealed class TradePlan
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string Symbol { get; set; } = "";
    public FillSide Side { get; set; }
    public decimal Quantity { get; set; }
    public decimal Price { get; set; }
    public decimal? Stop { get; set; }
    public decimal? Target { get; set; }
    public long? StrategyId { get; set; }
    public string? Hypothesis { get; set; }
    public string Checks { get; set; } = "[]";
    public string? Snapshot { get; set; }

    /// <summary>proceeded, modified, cancelled; null until the trader decides.</summary>
    public string? TraderAction { get; set; }

    public long? FillId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
}

/// <summary>The generic CSV column mapping a trader saved for one broker.</summary>
public sealed class BrokerCsvMapping
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string BrokerName { get; set; } = "";
    public string Mapping { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
