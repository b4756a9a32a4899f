//! How deeply a parsed query nests: the evaluator recurses over the algebra, so a query nested
//! deeper than the stack allows would abort the server. Deeper queries are refused up front.

use spargebra::algebra::{
    AggregateExpression, Expression, GraphPattern, OrderExpression, PropertyPathExpression,
};
use spargebra::{GraphUpdateOperation, Query, Update};

/// The deepest algebra a query or update may have. Long operator chains (`1+1+…`,
/// `<p>/<p>/…`, `{…} UNION {…} UNION …`) nest one level per operator.
pub(crate) const MAX_DEPTH: usize = 1000;

pub(crate) fn query_depth(query: &Query) -> usize {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern_depth(pattern, 0),
    }
}

pub(crate) fn update_depth(update: &Update) -> usize {
    update
        .operations
        .iter()
        .map(|op| match op {
            GraphUpdateOperation::DeleteInsert { pattern, .. } => pattern_depth(pattern, 0),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

/// The depth below `pattern`, stopping as soon as it passes [`MAX_DEPTH`] (so that the walk
/// itself stays shallow).
fn pattern_depth(pattern: &GraphPattern, at: usize) -> usize {
    if at > MAX_DEPTH {
        return at;
    }
    let next = at + 1;
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Values { .. } => next,
        GraphPattern::Path { path, .. } => path_depth(path, next),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            pattern_depth(left, next).max(pattern_depth(right, next))
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => pattern_depth(left, next)
            .max(pattern_depth(right, next))
            .max(
                expression
                    .as_ref()
                    .map_or(next, |e| expression_depth(e, next)),
            ),
        GraphPattern::Filter { expr, inner } => {
            expression_depth(expr, next).max(pattern_depth(inner, next))
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => expression_depth(expression, next).max(pattern_depth(inner, next)),
        GraphPattern::OrderBy { inner, expression } => expression
            .iter()
            .map(|e| match e {
                OrderExpression::Asc(e) | OrderExpression::Desc(e) => expression_depth(e, next),
            })
            .fold(pattern_depth(inner, next), usize::max),
        GraphPattern::Group {
            inner, aggregates, ..
        } => aggregates
            .iter()
            .map(|(_, a)| match a {
                AggregateExpression::FunctionCall { expr, .. } => expression_depth(expr, next),
                AggregateExpression::CountSolutions { .. } => next,
            })
            .fold(pattern_depth(inner, next), usize::max),
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => pattern_depth(inner, next),
    }
}

fn expression_depth(expression: &Expression, at: usize) -> usize {
    if at > MAX_DEPTH {
        return at;
    }
    let next = at + 1;
    match expression {
        Expression::Exists(p) => pattern_depth(p, next),
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
        | Expression::Divide(a, b) => expression_depth(a, next).max(expression_depth(b, next)),
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            expression_depth(a, next)
        }
        Expression::If(a, b, c) => expression_depth(a, next)
            .max(expression_depth(b, next))
            .max(expression_depth(c, next)),
        Expression::In(a, list) => list
            .iter()
            .map(|e| expression_depth(e, next))
            .fold(expression_depth(a, next), usize::max),
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => list
            .iter()
            .map(|e| expression_depth(e, next))
            .fold(next, usize::max),
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => next,
    }
}

fn path_depth(path: &PropertyPathExpression, at: usize) -> usize {
    if at > MAX_DEPTH {
        return at;
    }
    let next = at + 1;
    match path {
        PropertyPathExpression::NamedNode(_) | PropertyPathExpression::NegatedPropertySet(_) => {
            next
        }
        PropertyPathExpression::Reverse(p)
        | PropertyPathExpression::ZeroOrMore(p)
        | PropertyPathExpression::OneOrMore(p)
        | PropertyPathExpression::ZeroOrOne(p) => path_depth(p, next),
        PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
            path_depth(a, next).max(path_depth(b, next))
        }
    }
}
