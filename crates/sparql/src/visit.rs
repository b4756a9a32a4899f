//! One walk over the SPARQL algebra (<https://www.w3.org/TR/sparql11-query/#sparqlAlgebra>):
//! every graph pattern, expression and property path of a query or update, in pre-order, with
//! its depth.
//!
//! The walk keeps its own stack instead of recursing, so that a query nested deeper than the
//! thread's stack allows can still be measured and refused. Whoever needs to look into a query
//! (the depth limit, the `SERVICE` policy, later the search functions and parameter binding)
//! writes a closure over [`Node`]s instead of another match over every variant.

use spargebra::algebra::{
    AggregateExpression, Expression, GraphPattern, OrderExpression, PropertyPathExpression,
};
use spargebra::{GraphUpdateOperation, Query, Update};
use std::ops::ControlFlow;

/// A node of the algebra.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    /// A graph pattern (BGP, join, `OPTIONAL`, `SERVICE`, …).
    Pattern(&'a GraphPattern),
    /// An expression (of a `FILTER`, `BIND`, `ORDER BY`, aggregate, …).
    Expression(&'a Expression),
    /// A property path.
    Path(&'a PropertyPathExpression),
}

/// The pattern a query evaluates (its `WHERE` clause).
pub fn query_pattern(query: &Query) -> &GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}

/// Visits every node of `query` in pre-order; the `WHERE` pattern has depth 1 and each child is
/// one deeper than its parent. `Break` ends the walk.
pub fn walk_query<'a, B>(
    query: &'a Query,
    visit: impl FnMut(Node<'a>, usize) -> ControlFlow<B>,
) -> ControlFlow<B> {
    walk([Node::Pattern(query_pattern(query))], visit)
}

/// Visits every node of the patterns of `update` (its `DELETE`/`INSERT … WHERE` operations), as
/// [`walk_query`] does.
pub fn walk_update<'a, B>(
    update: &'a Update,
    visit: impl FnMut(Node<'a>, usize) -> ControlFlow<B>,
) -> ControlFlow<B> {
    walk(
        update.operations.iter().filter_map(|op| match op {
            GraphUpdateOperation::DeleteInsert { pattern, .. } => Some(Node::Pattern(pattern)),
            _ => None,
        }),
        visit,
    )
}

/// Visits `roots` (each of depth 1) and everything below them in pre-order.
pub fn walk<'a, B>(
    roots: impl IntoIterator<Item = Node<'a>>,
    mut visit: impl FnMut(Node<'a>, usize) -> ControlFlow<B>,
) -> ControlFlow<B> {
    let mut stack: Vec<(Node<'a>, usize)> = Vec::new();
    let mut roots: Vec<_> = roots.into_iter().map(|n| (n, 1)).collect();
    roots.reverse();
    stack.extend(roots);
    let mut children = Vec::new();
    while let Some((node, depth)) = stack.pop() {
        visit(node, depth)?;
        push_children(node, &mut children);
        // Children go on the stack last first, so that the first child is visited next.
        stack.extend(children.drain(..).rev().map(|child| (child, depth + 1)));
    }
    ControlFlow::Continue(())
}

fn push_children<'a>(node: Node<'a>, out: &mut Vec<Node<'a>>) {
    match node {
        Node::Pattern(pattern) => pattern_children(pattern, out),
        Node::Expression(expression) => expression_children(expression, out),
        Node::Path(path) => match path {
            PropertyPathExpression::NamedNode(_)
            | PropertyPathExpression::NegatedPropertySet(_) => {}
            PropertyPathExpression::Reverse(p)
            | PropertyPathExpression::ZeroOrMore(p)
            | PropertyPathExpression::OneOrMore(p)
            | PropertyPathExpression::ZeroOrOne(p) => out.push(Node::Path(p)),
            PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
                out.push(Node::Path(a));
                out.push(Node::Path(b));
            }
        },
    }
}

fn pattern_children<'a>(pattern: &'a GraphPattern, out: &mut Vec<Node<'a>>) {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Values { .. } => {}
        GraphPattern::Path { path, .. } => out.push(Node::Path(path)),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            out.push(Node::Pattern(left));
            out.push(Node::Pattern(right));
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            out.push(Node::Pattern(left));
            out.push(Node::Pattern(right));
            if let Some(e) = expression {
                out.push(Node::Expression(e));
            }
        }
        GraphPattern::Filter { expr, inner } => {
            out.push(Node::Expression(expr));
            out.push(Node::Pattern(inner));
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            out.push(Node::Expression(expression));
            out.push(Node::Pattern(inner));
        }
        GraphPattern::OrderBy { inner, expression } => {
            out.push(Node::Pattern(inner));
            out.extend(expression.iter().map(|e| match e {
                OrderExpression::Asc(e) | OrderExpression::Desc(e) => Node::Expression(e),
            }));
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            out.push(Node::Pattern(inner));
            out.extend(aggregates.iter().filter_map(|(_, a)| match a {
                AggregateExpression::FunctionCall { expr, .. } => Some(Node::Expression(expr)),
                AggregateExpression::CountSolutions { .. } => None,
            }));
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => out.push(Node::Pattern(inner)),
    }
}

fn expression_children<'a>(expression: &'a Expression, out: &mut Vec<Node<'a>>) {
    match expression {
        Expression::Exists(p) => out.push(Node::Pattern(p)),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            out.push(Node::Expression(a));
            out.push(Node::Expression(b));
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            out.push(Node::Expression(a));
        }
        Expression::If(a, b, c) => {
            out.push(Node::Expression(a));
            out.push(Node::Expression(b));
            out.push(Node::Expression(c));
        }
        Expression::In(a, list) => {
            out.push(Node::Expression(a));
            out.extend(list.iter().map(Node::Expression));
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            out.extend(list.iter().map(Node::Expression));
        }
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => {}
    }
}

/// The greatest depth of `query`'s algebra, or `limit + 1` as soon as it goes deeper than `limit`
/// (so that measuring a hostile query stays cheap).
pub fn query_depth(query: &Query, limit: usize) -> usize {
    depth(|visit| walk_query(query, visit), limit)
}

/// The greatest depth of `update`'s patterns, as [`query_depth`].
pub fn update_depth(update: &Update, limit: usize) -> usize {
    depth(|visit| walk_update(update, visit), limit)
}

fn depth<'a>(
    run: impl FnOnce(&mut dyn FnMut(Node<'a>, usize) -> ControlFlow<()>) -> ControlFlow<()>,
    limit: usize,
) -> usize {
    let mut max = 0;
    let flow = run(&mut |_, depth| {
        max = max.max(depth);
        if depth > limit {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    if flow.is_break() { limit + 1 } else { max }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    fn parse(q: &str) -> Query {
        SparqlParser::new().parse_query(q).unwrap()
    }

    #[test]
    fn depth_counts_every_level() {
        // Project → BGP.
        assert_eq!(query_depth(&parse("SELECT * { ?s ?p ?o }"), 1000), 2);
        // Project → Filter → (Greater → (Add → 1, 1), 3) and BGP.
        let q = parse("SELECT * { ?s ?p ?o FILTER(1 + 1 > 3) }");
        assert_eq!(query_depth(&q, 1000), 5);
        let unions = format!("SELECT * {{ {} }}", vec!["{?a ?b ?c}"; 50].join(" UNION "));
        let q = parse(&unions);
        assert!(query_depth(&q, 1000) > 50);
        assert_eq!(query_depth(&q, 10), 11, "stops past the limit");
    }

    #[test]
    fn visits_in_pre_order_everywhere() {
        let q = parse(
            "SELECT (COUNT(?x) AS ?n) { ?s <http://p.example/>+ ?x \
             OPTIONAL { ?s ?p ?o FILTER EXISTS { SERVICE <http://a.example/> { ?a ?b ?c } } } } \
             GROUP BY ?s ORDER BY DESC(?n)",
        );
        let mut kinds = String::new();
        let _ = walk_query(&q, |node, _| {
            kinds.push(match node {
                Node::Pattern(GraphPattern::Service { .. }) => 'S',
                Node::Pattern(_) => 'p',
                Node::Expression(_) => 'e',
                Node::Path(_) => '/',
            });
            ControlFlow::<()>::Continue(())
        });
        assert!(kinds.contains('S'), "{kinds}");
        assert!(kinds.contains('/'), "{kinds}");
        assert!(kinds.starts_with('p'), "{kinds}");
    }

    #[test]
    fn a_deep_query_does_not_overflow_the_walk() {
        // Built by hand: the parser itself would need a large stack for this.
        let mut pattern = GraphPattern::Bgp {
            patterns: Vec::new(),
        };
        for _ in 0..100_000 {
            pattern = GraphPattern::Distinct {
                inner: Box::new(pattern),
            };
        }
        let mut deepest = 0;
        let _ = walk([Node::Pattern(&pattern)], |_, depth| {
            deepest = deepest.max(depth);
            ControlFlow::<()>::Continue(())
        });
        assert_eq!(deepest, 100_001);
        // Dropping a deep tree recurses; take it apart level by level instead.
        while let GraphPattern::Distinct { inner } = pattern {
            pattern = *inner;
        }
    }
}
