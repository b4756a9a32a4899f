//! Parameters bound into a parsed query: each variable of a binding is replaced by its term in
//! the algebra, so that no value can change the query's shape (there is no text to break out
//! of).
//!
//! The variable is replaced everywhere in the query, subqueries and `EXISTS` included; where a
//! `SELECT` projects it, it keeps its column, with the bound value. `BOUND(?v)` becomes true.
//! A row of `VALUES` that gives the variable another value is dropped. Refused, with
//! [`BindError`]: a value other than an IRI where the query needs one (predicate, `GRAPH`,
//! `SERVICE`), a query that binds the variable itself (`BIND … AS ?v`, an aggregate `AS ?v`).

use oxrdf::{Term, Variable};
use spargebra::Query;
use spargebra::algebra::{AggregateExpression, Expression, GraphPattern, OrderExpression};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};
use std::collections::HashMap;

/// Why a binding cannot be made.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BindError {
    /// The variable stands where only an IRI may, and the value is not one.
    #[error(
        "?{variable} stands where the query needs an IRI (a predicate, GRAPH or SERVICE), and the value is not an IRI"
    )]
    NotAnIri {
        /// The variable.
        variable: String,
    },
    /// The query assigns the variable itself.
    #[error(
        "the query assigns ?{variable} itself (BIND or an aggregate AS ?{variable}), so it cannot be a parameter"
    )]
    Assigned {
        /// The variable.
        variable: String,
    },
    /// The value is a blank node or a quoted triple.
    #[error("?{variable}: only IRIs and literals can be bound")]
    NotGround {
        /// The variable.
        variable: String,
    },
}

/// `query` with each variable of `bindings` replaced by its term.
pub fn bind(query: Query, bindings: &HashMap<Variable, Term>) -> Result<Query, BindError> {
    for (variable, term) in bindings {
        if !matches!(term, Term::NamedNode(_) | Term::Literal(_)) {
            return Err(BindError::NotGround {
                variable: variable.as_str().to_owned(),
            });
        }
    }
    let b = Binder { bindings };
    Ok(match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: b.pattern(pattern)?,
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template: template
                .into_iter()
                .map(|t| b.triple(t))
                .collect::<Result<_, _>>()?,
            dataset,
            pattern: b.pattern(pattern)?,
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: b.pattern(pattern)?,
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: b.pattern(pattern)?,
            base_iri,
        },
    })
}

struct Binder<'a> {
    bindings: &'a HashMap<Variable, Term>,
}

impl Binder<'_> {
    fn term(&self, t: TermPattern) -> TermPattern {
        match t {
            TermPattern::Variable(v) => match self.bindings.get(&v) {
                Some(Term::NamedNode(n)) => TermPattern::NamedNode(n.clone()),
                Some(Term::Literal(l)) => TermPattern::Literal(l.clone()),
                _ => TermPattern::Variable(v),
            },
            other => other,
        }
    }

    fn named(&self, t: NamedNodePattern) -> Result<NamedNodePattern, BindError> {
        match t {
            NamedNodePattern::Variable(v) => match self.bindings.get(&v) {
                Some(Term::NamedNode(n)) => Ok(NamedNodePattern::NamedNode(n.clone())),
                Some(_) => Err(BindError::NotAnIri {
                    variable: v.as_str().to_owned(),
                }),
                None => Ok(NamedNodePattern::Variable(v)),
            },
            other => Ok(other),
        }
    }

    fn triple(&self, t: TriplePattern) -> Result<TriplePattern, BindError> {
        Ok(TriplePattern {
            subject: self.term(t.subject),
            predicate: self.named(t.predicate)?,
            object: self.term(t.object),
        })
    }

    fn assigned(&self, v: &Variable) -> Result<(), BindError> {
        if self.bindings.contains_key(v) {
            Err(BindError::Assigned {
                variable: v.as_str().to_owned(),
            })
        } else {
            Ok(())
        }
    }

    fn constant(term: &Term) -> Expression {
        match term {
            Term::NamedNode(n) => Expression::NamedNode(n.clone()),
            Term::Literal(l) => Expression::Literal(l.clone()),
            // Refused by `bind` before the walk.
            _ => Expression::Bound(Variable::new_unchecked("unbound")),
        }
    }

    fn boxed(&self, p: GraphPattern) -> Result<Box<GraphPattern>, BindError> {
        Ok(Box::new(self.pattern(p)?))
    }

    fn pattern(&self, p: GraphPattern) -> Result<GraphPattern, BindError> {
        Ok(match p {
            GraphPattern::Bgp { patterns } => GraphPattern::Bgp {
                patterns: patterns
                    .into_iter()
                    .map(|t| self.triple(t))
                    .collect::<Result<_, _>>()?,
            },
            GraphPattern::Path {
                subject,
                path,
                object,
            } => GraphPattern::Path {
                subject: self.term(subject),
                path,
                object: self.term(object),
            },
            GraphPattern::Join { left, right } => GraphPattern::Join {
                left: self.boxed(*left)?,
                right: self.boxed(*right)?,
            },
            GraphPattern::LeftJoin {
                left,
                right,
                expression,
            } => GraphPattern::LeftJoin {
                left: self.boxed(*left)?,
                right: self.boxed(*right)?,
                expression: expression.map(|e| self.expression(e)).transpose()?,
            },
            GraphPattern::Lateral { left, right } => GraphPattern::Lateral {
                left: self.boxed(*left)?,
                right: self.boxed(*right)?,
            },
            GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
                expr: self.expression(expr)?,
                inner: self.boxed(*inner)?,
            },
            GraphPattern::Union { left, right } => GraphPattern::Union {
                left: self.boxed(*left)?,
                right: self.boxed(*right)?,
            },
            GraphPattern::Graph { name, inner } => GraphPattern::Graph {
                name: self.named(name)?,
                inner: self.boxed(*inner)?,
            },
            GraphPattern::Extend {
                inner,
                variable,
                expression,
            } => {
                self.assigned(&variable)?;
                GraphPattern::Extend {
                    inner: self.boxed(*inner)?,
                    variable,
                    expression: self.expression(expression)?,
                }
            }
            GraphPattern::Minus { left, right } => GraphPattern::Minus {
                left: self.boxed(*left)?,
                right: self.boxed(*right)?,
            },
            GraphPattern::Values {
                variables,
                bindings,
            } => self.values(variables, bindings),
            GraphPattern::OrderBy { inner, expression } => GraphPattern::OrderBy {
                inner: self.boxed(*inner)?,
                expression: expression
                    .into_iter()
                    .map(|o| {
                        Ok(match o {
                            OrderExpression::Asc(e) => OrderExpression::Asc(self.expression(e)?),
                            OrderExpression::Desc(e) => OrderExpression::Desc(self.expression(e)?),
                        })
                    })
                    .collect::<Result<_, BindError>>()?,
            },
            GraphPattern::Project { inner, variables } => {
                // A projected parameter keeps its column, holding the bound value.
                let mut inner = self.pattern(*inner)?;
                for v in &variables {
                    if let Some(term) = self.bindings.get(v) {
                        inner = GraphPattern::Extend {
                            inner: Box::new(inner),
                            variable: v.clone(),
                            expression: Self::constant(term),
                        };
                    }
                }
                GraphPattern::Project {
                    inner: Box::new(inner),
                    variables,
                }
            }
            GraphPattern::Distinct { inner } => GraphPattern::Distinct {
                inner: self.boxed(*inner)?,
            },
            GraphPattern::Reduced { inner } => GraphPattern::Reduced {
                inner: self.boxed(*inner)?,
            },
            GraphPattern::Slice {
                inner,
                start,
                length,
            } => GraphPattern::Slice {
                inner: self.boxed(*inner)?,
                start,
                length,
            },
            GraphPattern::Group {
                inner,
                variables,
                aggregates,
            } => {
                for (v, _) in &aggregates {
                    self.assigned(v)?;
                }
                GraphPattern::Group {
                    inner: self.boxed(*inner)?,
                    // Grouping by a constant is grouping by nothing.
                    variables: variables
                        .into_iter()
                        .filter(|v| !self.bindings.contains_key(v))
                        .collect(),
                    aggregates: aggregates
                        .into_iter()
                        .map(|(v, a)| Ok((v, self.aggregate(a)?)))
                        .collect::<Result<_, BindError>>()?,
                }
            }
            GraphPattern::Service {
                name,
                inner,
                silent,
            } => GraphPattern::Service {
                name: self.named(name)?,
                inner: self.boxed(*inner)?,
                silent,
            },
        })
    }

    /// `VALUES` without the bound variables' columns, and without the rows that give one of
    /// them another value.
    fn values(
        &self,
        variables: Vec<Variable>,
        bindings: Vec<Vec<Option<GroundTerm>>>,
    ) -> GraphPattern {
        let bound: Vec<Option<&Term>> = variables.iter().map(|v| self.bindings.get(v)).collect();
        let rows = bindings
            .into_iter()
            .filter(|row| {
                row.iter()
                    .zip(&bound)
                    .all(|(value, bound)| match (value, bound) {
                        (Some(value), Some(term)) => ground(value).as_ref() == Some(*term),
                        _ => true,
                    })
            })
            .map(|row| {
                row.into_iter()
                    .zip(&bound)
                    .filter(|(_, b)| b.is_none())
                    .map(|(value, _)| value)
                    .collect()
            })
            .collect();
        GraphPattern::Values {
            variables: variables
                .into_iter()
                .filter(|v| !self.bindings.contains_key(v))
                .collect(),
            bindings: rows,
        }
    }

    fn aggregate(&self, a: AggregateExpression) -> Result<AggregateExpression, BindError> {
        Ok(match a {
            AggregateExpression::FunctionCall {
                name,
                expr,
                distinct,
            } => AggregateExpression::FunctionCall {
                name,
                expr: self.expression(expr)?,
                distinct,
            },
            other => other,
        })
    }

    fn boxed_expression(&self, e: Expression) -> Result<Box<Expression>, BindError> {
        Ok(Box::new(self.expression(e)?))
    }

    fn expression(&self, e: Expression) -> Result<Expression, BindError> {
        use Expression as E;
        let two = |a: Box<E>, b: Box<E>, f: fn(Box<E>, Box<E>) -> E| -> Result<E, BindError> {
            Ok(f(self.boxed_expression(*a)?, self.boxed_expression(*b)?))
        };
        let many = |list: Vec<E>| -> Result<Vec<E>, BindError> {
            list.into_iter().map(|e| self.expression(e)).collect()
        };
        Ok(match e {
            E::Variable(v) => match self.bindings.get(&v) {
                Some(term) => Self::constant(term),
                None => E::Variable(v),
            },
            E::Bound(v) if self.bindings.contains_key(&v) => E::Literal(oxrdf::Literal::from(true)),
            E::Or(a, b) => two(a, b, E::Or)?,
            E::And(a, b) => two(a, b, E::And)?,
            E::Equal(a, b) => two(a, b, E::Equal)?,
            E::SameTerm(a, b) => two(a, b, E::SameTerm)?,
            E::Greater(a, b) => two(a, b, E::Greater)?,
            E::GreaterOrEqual(a, b) => two(a, b, E::GreaterOrEqual)?,
            E::Less(a, b) => two(a, b, E::Less)?,
            E::LessOrEqual(a, b) => two(a, b, E::LessOrEqual)?,
            E::Add(a, b) => two(a, b, E::Add)?,
            E::Subtract(a, b) => two(a, b, E::Subtract)?,
            E::Multiply(a, b) => two(a, b, E::Multiply)?,
            E::Divide(a, b) => two(a, b, E::Divide)?,
            E::In(a, list) => E::In(self.boxed_expression(*a)?, many(list)?),
            E::UnaryPlus(a) => E::UnaryPlus(self.boxed_expression(*a)?),
            E::UnaryMinus(a) => E::UnaryMinus(self.boxed_expression(*a)?),
            E::Not(a) => E::Not(self.boxed_expression(*a)?),
            E::Exists(p) => E::Exists(self.boxed(*p)?),
            E::If(a, b, c) => E::If(
                self.boxed_expression(*a)?,
                self.boxed_expression(*b)?,
                self.boxed_expression(*c)?,
            ),
            E::Coalesce(list) => E::Coalesce(many(list)?),
            E::FunctionCall(f, args) => E::FunctionCall(f, many(args)?),
            other @ (E::NamedNode(_) | E::Literal(_) | E::Bound(_)) => other,
        })
    }
}

fn ground(value: &GroundTerm) -> Option<Term> {
    match value {
        GroundTerm::NamedNode(n) => Some(Term::NamedNode(n.clone())),
        GroundTerm::Literal(l) => Some(Term::Literal(l.clone())),
        #[expect(
            unreachable_patterns,
            reason = "quoted triples exist with sparql-12 only"
        )]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{Literal, NamedNode};

    fn bound(query: &str, name: &str, term: Term) -> Result<String, BindError> {
        let q = spargebra::SparqlParser::new()
            .parse_query(query)
            .expect("query");
        let mut b = HashMap::new();
        b.insert(Variable::new_unchecked(name), term);
        bind(q, &b).map(|q| q.to_string())
    }

    #[test]
    fn values_replace_the_variable_everywhere() {
        let q = bound(
            "SELECT ?x ?n WHERE { ?x <http://ex.example/p> ?n FILTER(?n > ?min) } ORDER BY ?n",
            "n",
            Literal::from(3).into(),
        )
        .expect("bound");
        assert!(!q.contains("?n >") && q.contains("3"), "{q}");
        let q = bound(
            "SELECT * WHERE { ?x <http://ex.example/p> ?v }",
            "v",
            Literal::new_simple_literal("} ; DROP ALL ; {").into(),
        )
        .expect("bound");
        assert!(q.contains("\"} ; DROP ALL ; {\""), "{q}");
    }

    #[test]
    fn a_literal_cannot_be_a_predicate_and_an_assigned_variable_cannot_be_bound() {
        assert!(matches!(
            bound("SELECT * WHERE { ?s ?p ?o }", "p", Literal::from(1).into()),
            Err(BindError::NotAnIri { .. })
        ));
        assert!(matches!(
            bound(
                "SELECT * WHERE { BIND(1 AS ?x) }",
                "x",
                NamedNode::new_unchecked("http://ex.example/").into()
            ),
            Err(BindError::Assigned { .. })
        ));
    }
}
