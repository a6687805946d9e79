using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// Unrealised P&amp;L of positions held at an average cost, marked at a price. With q the signed quantity (negative for a
/// short), c the average cost per unit (fees included: the break-even price, see <see cref="InstrumentPosition.AverageCost"/>)
/// and p the mark:
/// <code>
/// unrealised   = q × (p − c)                       long: gains when p rises; short: gains when p falls
/// unrealised % = unrealised ÷ (|q| × c) = sign(q) × (p − c) ÷ c
/// </code>
/// The bulk forms write into caller-provided spans and allocate nothing. The <see cref="double"/> bulk form is the fast
/// one (SIMD over <see cref="Vector{T}"/>); the <see cref="decimal"/> one is exact but several times slower.
/// </summary>
public static class MarkToMarket
{
    public static decimal UnrealisedPnl(decimal quantity, decimal averageCost, decimal price) => quantity * (price - averageCost);

    /// <summary>sign(q) × (p − c) ÷ c; null when flat or the average cost is not positive.</summary>
    public static double? UnrealisedPercent(decimal quantity, decimal averageCost, decimal price) =>
        quantity == 0 || averageCost <= 0 ? null : (double)(Math.Sign(quantity) * (price - averageCost) / averageCost);

    /// <summary>Marks every position: pnl[i] = q[i] × (p[i] − c[i]); percent[i] = sign(q[i]) × (p[i] − c[i]) ÷ c[i], NaN when flat or c[i] ≤ 0.</summary>
    public static void Bulk(ReadOnlySpan<decimal> quantity, ReadOnlySpan<decimal> averageCost, ReadOnlySpan<decimal> price, Span<decimal> pnl, Span<double> percent)
    {
        var n = CheckLengths(quantity.Length, averageCost.Length, price.Length, pnl.Length, percent.Length);
        for (var i = 0; i < n; i++)
        {
            var q = quantity[i];
            var c = averageCost[i];
            var diff = price[i] - c;
            pnl[i] = q * diff;
            percent[i] = q == 0 || c <= 0 ? double.NaN : (q > 0 ? 1.0 : -1.0) * (double)diff / (double)c;
        }
    }

    /// <summary>
    /// The fast form over doubles, same formulas: pnl[i] = q[i] × (p[i] − c[i]); percent[i] = sign(q[i]) × (p[i] − c[i]) ÷ c[i]
    /// (NaN when flat; IEEE ±∞/NaN when c[i] = 0). Allocation-free, vectorised.
    /// </summary>
    public static void Bulk(ReadOnlySpan<double> quantity, ReadOnlySpan<double> averageCost, ReadOnlySpan<double> price, Span<double> pnl, Span<double> percent)
    {
        var n = CheckLengths(quantity.Length, averageCost.Length, price.Length, pnl.Length, percent.Length);
        var i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            ref var q0 = ref MemoryMarshal.GetReference(quantity);
            ref var c0 = ref MemoryMarshal.GetReference(averageCost);
            ref var p0 = ref MemoryMarshal.GetReference(price);
            ref var pnl0 = ref MemoryMarshal.GetReference(pnl);
            ref var pct0 = ref MemoryMarshal.GetReference(percent);
            var width = Vector<double>.Count;
            var nan = new Vector<double>(double.NaN);
            for (; i <= n - width; i += width)
            {
                var q = Vector.LoadUnsafe(ref q0, (nuint)i);
                var c = Vector.LoadUnsafe(ref c0, (nuint)i);
                var diff = Vector.LoadUnsafe(ref p0, (nuint)i) - c;
                (q * diff).StoreUnsafe(ref pnl0, (nuint)i);
                var ratio = diff / c;
                var signed = Vector.ConditionalSelect(Vector.LessThan(q, Vector<double>.Zero), -ratio, ratio);
                Vector.ConditionalSelect(Vector.Equals(q, Vector<double>.Zero), nan, signed).StoreUnsafe(ref pct0, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            var q = quantity[i];
            var diff = price[i] - averageCost[i];
            pnl[i] = q * diff;
            percent[i] = q == 0 ? double.NaN : q > 0 ? diff / averageCost[i] : -diff / averageCost[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CheckLengths(int quantity, int averageCost, int price, int pnl, int percent)
    {
        if (averageCost != quantity || price != quantity || pnl != quantity || percent != quantity)
        {
            throw new ArgumentException($"All spans must have the same length (quantity {quantity}, average cost {averageCost}, price {price}, pnl {pnl}, percent {percent}).");
        }
        return quantity;
    }
}
