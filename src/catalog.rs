//! The DCAT-AP.de catalogue of a site (`catalog.ttl` beside the dumps, served at `/catalog` and
//! `/dumps/catalog.ttl`): one `dcat:Dataset` per dumped source and one for the whole store,
//! each with a `dcat:Distribution` per dump file (size, media type, SHA-256 checksum, access and
//! download URL), and a `dcat:DataService` for the SPARQL endpoint.
//!
//! Every IRI is absolute, under the site's `base_iri` (which is where the site is served): a
//! harvester such as GovData keeps the catalogue's IRIs as they are. Agents, licences, media
//! types and periods are typed with the classes the DCAT-AP 3 and DCAT-AP.de shapes expect
//! (`foaf:Agent`, `dcterms:LicenseDocument`, `dcterms:MediaType`, …): a reference to an untyped
//! node is what most catalogues fail on.

use kulturnetz_model::Config;
use kulturnetz_store::Manifest;
use oxrdf::{Literal, NamedNode};
use std::fmt::Write as _;
use std::path::Path;

/// The file the catalogue is written to, in the dumps' folder.
const FILE: &str = kulturnetz_server::CATALOG_FILE;

/// EU data theme of everything Kulturnetz publishes: education, culture and sport.
const THEME: &str = "http://publications.europa.eu/resource/authority/data-theme/EDUC";
/// The licence of a site that names none: DCAT-AP.de's "other, open" licence.
const OPEN: &str = "http://dcat-ap.de/def/licenses/other-open";

/// Writes `catalog.ttl` into `dir` (to a temporary file renamed when complete).
pub(crate) fn write(config: &Config, manifest: &Manifest, dir: &Path) -> std::io::Result<()> {
    let text = describe(config, manifest, &modified());
    let tmp = dir.join(format!(".{FILE}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(FILE))
}

/// Now, as an `xsd:dateTime` in UTC.
fn modified() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The catalogue as Turtle, `modified` its `dcterms:modified`.
pub(crate) fn describe(config: &Config, manifest: &Manifest, modified: &str) -> String {
    let site = &config.site;
    let base = site.base_iri.trim_end_matches('/');
    let at = |path: &str| format!("<{base}/{path}>");
    let text = |value: &str| Literal::new_simple_literal(value).to_string();
    let german =
        |value: &str| Literal::new_language_tagged_literal_unchecked(value, "de").to_string();
    let licence_of = |license: Option<&str>| {
        license
            .or(site.license.as_deref())
            .and_then(|l| NamedNode::new(l).ok())
            .unwrap_or_else(|| NamedNode::new_unchecked(OPEN))
    };
    let publisher_name = if site.publisher.is_empty() {
        site.title.as_str()
    } else {
        site.publisher.as_str()
    };
    let date = format!("\"{modified}\"^^xsd:dateTime");
    let mut out = String::from(
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         @prefix dcatap: <http://data.europa.eu/r5r/> .\n\
         @prefix dcatde: <http://dcat-ap.de/def/dcatde/> .\n\
         @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n\
         @prefix spdx: <http://spdx.org/rdf/terms#> .\n\
         @prefix vcard: <http://www.w3.org/2006/vcard/ns#> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n",
    );
    let publisher = at("publisher");
    let service = at("sparql#service");
    let language = "<http://publications.europa.eu/resource/authority/language/DEU>";

    // The catalogue.
    let _ = writeln!(out, "{} a dcat:Catalog ;", at("catalog"));
    let _ = writeln!(out, "  dcterms:title {} ;", german(&site.title));
    let _ = writeln!(
        out,
        "  dcterms:description {} ;",
        german(&format!(
            "Kulturdaten von {publisher_name}: {} Quellen als Linked Open Data, mit SPARQL-Endpunkt und Downloads.",
            manifest.graphs.len()
        ))
    );
    let _ = writeln!(out, "  dcterms:publisher {publisher} ;");
    let _ = writeln!(out, "  dcterms:modified {date} ;");
    let _ = writeln!(out, "  dcterms:language {language} ;");
    let _ = writeln!(out, "  foaf:homepage {} ;", at(""));
    let _ = writeln!(out, "  dcat:service {service} ;");
    let _ = writeln!(out, "  dcat:dataset {} ;", at("dataset/all"));
    for stats in &manifest.graphs {
        let _ = writeln!(
            out,
            "  dcat:dataset {} ;",
            at(&format!("dataset/{}", stats.source))
        );
    }
    let _ = writeln!(
        out,
        "  dcat:themeTaxonomy <http://publications.europa.eu/resource/authority/data-theme> .\n"
    );
    let _ = writeln!(
        out,
        "{publisher} a foaf:Agent ;\n  foaf:name {} .\n",
        text(publisher_name)
    );
    let _ = writeln!(
        out,
        "{} a vcard:Kind, vcard:Organization ;\n  vcard:fn {} ;\n  vcard:hasURL {} .\n",
        at("contact"),
        text(publisher_name),
        at("")
    );
    let _ = writeln!(
        out,
        "<http://publications.europa.eu/resource/authority/data-theme> a <http://www.w3.org/2004/02/skos/core#ConceptScheme> ."
    );
    let _ = writeln!(
        out,
        "<{THEME}> a <http://www.w3.org/2004/02/skos/core#Concept> ."
    );
    let _ = writeln!(out, "{language} a dcterms:LinguisticSystem .\n");

    // The SPARQL endpoint.
    let site_licence = licence_of(None);
    let _ = writeln!(out, "{service} a dcat:DataService ;");
    let _ = writeln!(
        out,
        "  dcterms:title {} ;",
        german(&format!("SPARQL-Endpunkt: {}", site.title))
    );
    let _ = writeln!(out, "  dcterms:publisher {publisher} ;");
    let _ = writeln!(out, "  dcterms:license {site_licence} ;");
    let _ = writeln!(out, "  dcat:endpointURL {} ;", at("sparql"));
    let _ = writeln!(out, "  dcat:endpointDescription {} ;", at("sparql"));
    let _ = writeln!(
        out,
        "  dcterms:conformsTo <https://www.w3.org/TR/sparql11-protocol/> ;"
    );
    let _ = writeln!(out, "  dcat:servesDataset {} ;", at("dataset/all"));
    for stats in &manifest.graphs {
        let _ = writeln!(
            out,
            "  dcat:servesDataset {} ;",
            at(&format!("dataset/{}", stats.source))
        );
    }
    let _ = writeln!(out, "  dcat:contactPoint {} .\n", at("contact"));
    let _ = writeln!(
        out,
        "<https://www.w3.org/TR/sparql11-protocol/> a dcterms:Standard .\n"
    );

    // One dataset for the whole store, one per source.
    let mut licences = vec![site_licence.clone()];
    let mut datasets = vec![("all".to_owned(), None)];
    datasets.extend(manifest.graphs.iter().map(|g| (g.source.clone(), Some(g))));
    for (id, stats) in &datasets {
        let source = config.sources.iter().find(|s| &s.id == id);
        let licence = licence_of(source.and_then(|s| s.license.as_deref()));
        licences.push(licence.clone());
        let dataset = at(&format!("dataset/{id}"));
        let (title, description) = match stats {
            None => (
                site.title.clone(),
                format!(
                    "Alle Daten von {}: {} Tripel aus {} Quellen.",
                    site.title,
                    manifest.quads,
                    manifest.graphs.len()
                ),
            ),
            Some(stats) => (
                source
                    .and_then(|s| s.title.clone())
                    .unwrap_or_else(|| id.clone()),
                format!(
                    "Die Quelle {id} als Linked Open Data: {} Tripel über {} Ressourcen.",
                    stats.triples, stats.subjects
                ),
            ),
        };
        let _ = writeln!(out, "{dataset} a dcat:Dataset ;");
        let _ = writeln!(out, "  dcterms:title {} ;", german(&title));
        let _ = writeln!(out, "  dcterms:description {} ;", german(&description));
        let _ = writeln!(
            out,
            "  dcterms:identifier {} ;",
            text(&format!("{base}/dataset/{id}"))
        );
        let _ = writeln!(out, "  dcterms:publisher {publisher} ;");
        let _ = writeln!(out, "  dcterms:modified {date} ;");
        let _ = writeln!(out, "  dcterms:language {language} ;");
        let _ = writeln!(out, "  dcat:theme <{THEME}> ;");
        let _ = writeln!(out, "  dcat:contactPoint {} ;", at("contact"));
        let _ = writeln!(out, "  dcat:landingPage {} ;", at(""));
        let files: Vec<_> = manifest
            .files
            .iter()
            .filter(|f| match stats {
                None => f.source.is_none(),
                Some(stats) => f.source.as_deref() == Some(stats.source.as_str()),
            })
            .collect();
        for file in &files {
            let _ = writeln!(
                out,
                "  dcat:distribution {} ;",
                at(&format!("dataset/{id}/{}", file.name))
            );
        }
        let _ = writeln!(
            out,
            "  dcat:distribution {} .\n",
            at(&format!("dataset/{id}/sparql"))
        );
        for file in &files {
            let (media, format) = if file.name.ends_with(".ttl.gz") {
                ("text/turtle", "RDF_TURTLE")
            } else {
                ("application/n-quads", "RDF_N_QUADS")
            };
            let _ = writeln!(
                out,
                "{} a dcat:Distribution ;",
                at(&format!("dataset/{id}/{}", file.name))
            );
            let _ = writeln!(
                out,
                "  dcterms:title {} ;",
                german(&format!("{title}: {}", file.name))
            );
            let _ = writeln!(out, "  dcat:accessURL {} ;", at("dumps/"));
            let _ = writeln!(
                out,
                "  dcat:downloadURL {} ;",
                at(&format!("dumps/{}", file.name))
            );
            let _ = writeln!(
                out,
                "  dcat:mediaType <https://www.iana.org/assignments/media-types/{media}> ;"
            );
            let _ = writeln!(
                out,
                "  dcterms:format <http://publications.europa.eu/resource/authority/file-type/{format}> ;"
            );
            let _ = writeln!(
                out,
                "  dcat:compressFormat <https://www.iana.org/assignments/media-types/application/gzip> ;"
            );
            let _ = writeln!(
                out,
                "  dcat:byteSize \"{}\"^^xsd:nonNegativeInteger ;",
                file.bytes
            );
            let _ = writeln!(out, "  dcterms:license {licence} ;");
            let _ = writeln!(out, "  dcterms:modified {date} ;");
            let _ = writeln!(
                out,
                "  spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ; spdx:checksumValue \"{}\"^^xsd:hexBinary ] .",
                kulturnetz_model::hex(&file.sha256)
            );
            let _ = writeln!(
                out,
                "<https://www.iana.org/assignments/media-types/{media}> a dcterms:MediaType ."
            );
            let _ = writeln!(
                out,
                "<http://publications.europa.eu/resource/authority/file-type/{format}> a dcterms:MediaTypeOrExtent .\n"
            );
        }
        let _ = writeln!(
            out,
            "{} a dcat:Distribution ;",
            at(&format!("dataset/{id}/sparql"))
        );
        let _ = writeln!(
            out,
            "  dcterms:title {} ;",
            german(&format!("{title}: SPARQL-Endpunkt"))
        );
        let _ = writeln!(out, "  dcat:accessURL {} ;", at("sparql"));
        let _ = writeln!(out, "  dcat:accessService {service} ;");
        let _ = writeln!(out, "  dcterms:license {licence} .\n");
    }
    let _ = writeln!(
        out,
        "<https://www.iana.org/assignments/media-types/application/gzip> a dcterms:MediaType ."
    );
    licences.sort();
    licences.dedup();
    for licence in licences {
        let _ = writeln!(out, "{licence} a dcterms:LicenseDocument .");
    }
    out
}
