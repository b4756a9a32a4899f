//! XML records: the iterator and the references are XPath 1.0, with the namespaces the logical
//! source declares and those declared on the document's root element.
//! <https://w3id.org/rml/io/spec#xpath>

use super::{DataError, Record, Val, Visit};
use crate::error::{MappingError, RunError};
use crate::plan::LogicalSource;
use kulturnetz_model::Location;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{BufRead, Read};
use sxd_xpath::nodeset::Node as XNode;
use sxd_xpath::{Context, Factory, Value, XPath};

pub(super) fn check(expression: &str) -> Result<(), String> {
    compile(&Factory::new(), expression).map(|_| ())
}

fn compile(factory: &Factory, expression: &str) -> Result<XPath, String> {
    match factory.build(expression) {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(format!("empty XPath {expression:?}")),
        Err(e) => Err(format!("invalid XPath {expression:?}: {e}")),
    }
}

struct Element<'a, 'd> {
    node: XNode<'d>,
    context: &'a Context<'d>,
    factory: &'a Factory,
    paths: &'a RefCell<HashMap<String, XPath>>,
    file: &'a str,
    number: u64,
}

impl Record for Element<'_, '_> {
    fn values_into(&self, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError> {
        let mut paths = self.paths.borrow_mut();
        if !paths.contains_key(reference) {
            let x =
                compile(self.factory, reference).map_err(|e| DataError::new(Some(reference), e))?;
            paths.insert(reference.to_owned(), x);
        }
        let value = paths[reference]
            .evaluate(self.context, self.node)
            .map_err(|e| DataError::new(Some(reference), format!("XPath {reference:?}: {e}")))?;
        match value {
            Value::Nodeset(nodes) => out.extend(
                nodes
                    .document_order()
                    .into_iter()
                    .map(|n| Val::plain(n.string_value())),
            ),
            Value::String(s) => out.push(Val::plain(s)),
            Value::Number(n) => out.push(Val::plain(n.to_string())),
            Value::Boolean(b) => out.push(Val::plain(b.to_string())),
        }
        Ok(())
    }

    fn location(&self) -> Location {
        Location::file(self.file).with_record(self.number)
    }
}

pub(super) fn each(
    source: &LogicalSource,
    file: &str,
    mut reader: Box<dyn BufRead>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| RunError::Io {
        file: source.display.clone(),
        source: e,
    })?;
    let package = sxd_document::parser::parse(&text).map_err(|e| {
        RunError::Mapping(MappingError::new(
            file,
            format!("{}: not XML: {e}", source.display),
        ))
    })?;
    let document = package.as_document();
    let mut context = Context::new();
    for child in document.root().children() {
        if let sxd_document::dom::ChildOfRoot::Element(e) = child {
            for ns in e.namespaces_in_scope() {
                context.set_namespace(ns.prefix(), ns.uri());
            }
        }
    }
    for (prefix, url) in &source.namespaces {
        context.set_namespace(prefix, url);
    }
    let factory = Factory::new();
    let iterator = source.iterator.as_deref().unwrap_or("/*");
    let path =
        compile(&factory, iterator).map_err(|e| RunError::Mapping(MappingError::new(file, e)))?;
    let nodes = match path.evaluate(&context, document.root()) {
        Ok(Value::Nodeset(nodes)) => nodes.document_order(),
        Ok(_) => {
            return Err(RunError::Mapping(MappingError::new(
                file,
                format!("the iterator {iterator:?} does not select nodes"),
            )));
        }
        Err(e) => {
            return Err(RunError::Mapping(MappingError::new(
                file,
                format!("the iterator {iterator:?}: {e}"),
            )));
        }
    };
    let paths = RefCell::new(HashMap::new());
    for (i, node) in nodes.into_iter().enumerate() {
        visit(&Element {
            node,
            context: &context,
            factory: &factory,
            paths: &paths,
            file: &source.display,
            number: i as u64 + 1,
        })?;
    }
    Ok(())
}
