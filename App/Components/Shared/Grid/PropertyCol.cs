using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using MudBlazor;

namespace Signalbook.Components.Shared.Grid;

/// <summary>
/// MudBlazor's <see cref="PropertyColumn{T, TProperty}"/>, without a recompile on every render. Razor builds a new
/// expression tree for <c>Property="r =&gt; r.Symbol"</c> each time the grid's columns render, and the column compiles
/// its property again whenever the instance differs from the last one it saw (a dynamic method, JIT-compiled each
/// time). Every render of a grid, such as a filter change on the recommendations dashboard, paid several expression
/// compilations, and under load the runtime never stopped JIT-compiling. This column hands the base the first instance
/// of an equal tree (compared by structure, as EF Core compares query trees), so a column compiles its property once,
/// when it is first rendered.
/// <para>Only trees that read the row alone are shared: a tree holding a constant (a captured variable, a component) is
/// passed through as it is, so the shared table never keeps a circuit's objects alive.</para>
/// </summary>
public sealed class PropertyCol<T, TProperty> : PropertyColumn<T, TProperty>
{
    // One entry per distinct row-only property expression of the app's grids (about a hundred), shared by every circuit.
    private static readonly ConcurrentDictionary<Expression<Func<T, TProperty>>, Expression<Func<T, TProperty>>> Canonical =
        new(ExpressionEqualityComparer.Instance);

    protected override void OnParametersSet()
    {
        if (Canonical.TryGetValue(Property, out var known)) Property = known;
        else if (!HoldsConstant.Check(Property)) Property = Canonical.GetOrAdd(Property, Property);
        base.OnParametersSet();
    }

    /// <summary>The first instance of a structurally equal row-only tree seen so far (for tests).</summary>
    internal static bool IsShared(Expression<Func<T, TProperty>> property) => Canonical.TryGetValue(property, out var known) && ReferenceEquals(known, property);
}

/// <summary>Whether an expression tree contains a constant (captured state).</summary>
internal sealed class HoldsConstant : ExpressionVisitor
{
    private bool _found;

    public static bool Check(Expression expression)
    {
        var visitor = new HoldsConstant();
        visitor.Visit(expression);
        return visitor._found;
    }

    protected override Expression VisitConstant(ConstantExpression node)
    {
        _found = true;
        return node;
    }
}
