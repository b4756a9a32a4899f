//! The full-text index on disk (tantivy) and the spatial index in memory, kept together.

use crate::SearchError;
use crate::analysis::{Analyzers, Lang, QueryWord, Terms};
use crate::calendar::{Calendar, Dated, GraphCalendar};
use crate::extract::{Document, documents};
use crate::geo::{BoundingBox, GraphPlaces, Places, Point};
use kulturnetz_store::Backend;
use oxrdf::{GraphNameRef, NamedNode, NamedNodeRef};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// The format of the index on disk; an index of another format is rebuilt at start.
pub const FORMAT: u32 = 3;
/// The file in the index's folder that holds its [`FORMAT`], written after a whole build.
pub const FORMAT_FILE: &str = "FORMAT";
const TERMS: &str = "kn_terms";
/// The memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 64 << 20;
/// How many ranked text hits a search with a spatial condition looks through.
pub const MAX_CANDIDATES: usize = 10_000;

/// How much a match in a name counts against one in a description.
const NAME_BOOST: f32 = 3.0;
/// The score of a name that a query word begins or ends (a compound), and of a description.
const NAME_PART_SCORE: f32 = 1.0;
const DESCRIPTION_PART_SCORE: f32 = 0.3;

#[derive(Clone, Copy)]
struct Fields {
    iri: Field,
    graph: Field,
    types: Field,
    has_point: Field,
    names: Field,
    descriptions: Field,
    lat: Field,
    lon: Field,
    has_when: Field,
    start: Field,
    location: Field,
    name_stems: Field,
    name_words: Field,
    name_reversed: Field,
    description_stems: Field,
    description_words: Field,
    description_reversed: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let terms = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TERMS)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        iri: b.add_text_field("iri", STRING | STORED | FAST),
        graph: b.add_text_field("graph", STRING | STORED),
        types: b.add_text_field("type", STRING | STORED),
        has_point: b.add_text_field("has_point", STRING),
        names: b.add_text_field("name", STORED),
        descriptions: b.add_text_field("description", STORED),
        lat: b.add_f64_field("lat", STORED),
        lon: b.add_f64_field("lon", STORED),
        has_when: b.add_text_field("has_when", STRING),
        start: b.add_i64_field("start", STORED),
        location: b.add_text_field("location", STRING | STORED),
        name_stems: b.add_text_field("name_stems", terms.clone()),
        name_words: b.add_text_field("name_words", terms.clone()),
        name_reversed: b.add_text_field("name_reversed", terms.clone()),
        description_stems: b.add_text_field("description_stems", terms.clone()),
        description_words: b.add_text_field("description_words", terms.clone()),
        description_reversed: b.add_text_field("description_reversed", terms),
    };
    (b.build(), fields)
}

/// A search: text, types, and a place.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Words to find (all of them, in a name or a description).
    pub text: Option<String>,
    /// Only subjects of one of these types (IRIs).
    pub types: Vec<String>,
    /// Around a point: within a radius in metres, or (no radius) nearest first.
    pub near: Option<(Point, Option<f64>)>,
    /// Within a rectangle.
    pub bbox: Option<BoundingBox>,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return.
    pub limit: usize,
    /// Whether to make each hit's snippet.
    pub snippets: bool,
}

/// A hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The subject.
    pub iri: String,
    /// The graph (source) it is in.
    pub graph: String,
    /// Its types.
    pub types: Vec<String>,
    /// Its first name.
    pub label: Option<String>,
    /// The passage that matched, HTML-escaped with `<b>` around the matching words.
    pub snippet: Option<String>,
    /// The text score (BM25 with names weighted over descriptions), for a text search.
    pub score: Option<f32>,
    /// Where it is.
    pub point: Option<Point>,
    /// Metres from the point searched around.
    pub distance_m: Option<f64>,
}

/// A page of hits.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// The hits of this page, best first.
    pub hits: Vec<Hit>,
    /// Whether there are more after this page.
    pub more: bool,
    /// How many hits there are in all (for a text search with a spatial condition, among the
    /// first [`MAX_CANDIDATES`] text hits).
    pub total: usize,
}

/// What an update or rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Graphs (re)indexed.
    pub graphs: usize,
    /// Graphs removed from the index.
    pub removed: usize,
    /// Documents written.
    pub documents: usize,
    /// Of those, with a point.
    pub points: usize,
    /// Of those, with a start or a location.
    pub dated: usize,
}

/// What is kept in memory, swapped as one after each write.
#[derive(Clone, Default)]
pub(crate) struct Memory {
    pub(crate) places: Arc<Places>,
    pub(crate) calendar: Arc<Calendar>,
}

/// The search indexes of a store: full text on disk, points and starts in memory.
///
/// Readers see the last committed state: while an update or a rebuild runs, searches answer
/// from the index as it was before it.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    memory: RwLock<Memory>,
    /// One writer at a time.
    writing: Mutex<()>,
    analyzers: Analyzers,
    /// The hits of recent text searches by IRI with their scores, for the SPARQL functions;
    /// emptied by every write.
    scores: Mutex<HashMap<String, Arc<HashMap<String, f32>>>>,
}

/// How many searches' hits [`SearchIndex::scores`] keeps.
const KEPT_SCORES: usize = 64;

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn tantivy_error(dir: &Path) -> impl Fn(tantivy::TantivyError) -> SearchError + '_ {
    move |e| SearchError::Index {
        path: dir.to_owned(),
        message: e.to_string(),
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if missing. The second value says why the index
    /// must be rebuilt before it answers for the store (missing, or of another format), if so.
    pub fn open(dir: &Path) -> Result<(Self, Option<String>), SearchError> {
        let format_file = dir.join(FORMAT_FILE);
        let rebuild = match std::fs::read_to_string(&format_file) {
            Ok(text) if text.trim() == FORMAT.to_string() => None,
            Ok(text) => Some(format!(
                "the search index in {} has format {}, this version reads format {FORMAT}",
                dir.display(),
                text.trim()
            )),
            Err(_) => Some(format!("there is no search index in {}", dir.display())),
        };
        if rebuild.is_some() && dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| SearchError::io(dir, e))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| SearchError::io(dir, e))?;
        let (schema, fields) = schema();
        let directory =
            tantivy::directory::MmapDirectory::open(dir).map_err(|e| SearchError::Index {
                path: dir.to_owned(),
                message: e.to_string(),
            })?;
        let index = Index::open_or_create(directory, schema).map_err(tantivy_error(dir))?;
        index.tokenizers().register(
            TERMS,
            TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(tantivy_error(dir))?;
        let this = Self {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            memory: RwLock::default(),
            writing: Mutex::new(()),
            analyzers: Analyzers::default(),
            scores: Mutex::default(),
        };
        if rebuild.is_none() {
            this.load_memory()?;
        }
        Ok((this, rebuild))
    }

    /// The folder of the index.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// When the index was last committed (the time of its `meta.json`), if it ever was.
    pub fn modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.dir.join("meta.json"))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Reads every point, start and location from the index into memory (at start).
    fn load_memory(&self) -> Result<(), SearchError> {
        let searcher = self.reader.searcher();
        let f = self.fields;
        let marked = |field| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, "1"),
                IndexRecordOption::Basic,
            ))
        };
        let query = BooleanQuery::new(vec![
            (Occur::Should, marked(f.has_point)),
            (Occur::Should, marked(f.has_when)),
        ]);
        let docs = searcher
            .search(&query, &DocSetCollector)
            .map_err(tantivy_error(&self.dir))?;
        let mut points: HashMap<String, Vec<(String, Point)>> = HashMap::new();
        let mut dated: HashMap<String, Vec<Dated>> = HashMap::new();
        let mut docs: Vec<DocAddress> = docs.into_iter().collect();
        docs.sort();
        for address in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(tantivy_error(&self.dir))?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let number = |field| doc.get_first(field).and_then(|v| v.as_f64());
            let (Some(iri), Some(graph)) = (text(f.iri), text(f.graph)) else {
                continue;
            };
            if let (Some(lat), Some(lon)) = (number(f.lat), number(f.lon))
                && let Some(p) = Point::new(lat, lon)
            {
                points
                    .entry(graph.clone())
                    .or_default()
                    .push((iri.clone(), p));
            }
            let starts: Vec<i64> = doc.get_all(f.start).filter_map(|v| v.as_i64()).collect();
            let locations: Vec<String> = doc
                .get_all(f.location)
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if !starts.is_empty() || !locations.is_empty() {
                dated
                    .entry(graph)
                    .or_default()
                    .push((iri, starts, locations));
            }
        }
        let mut places = Places::default();
        for (graph, mut points) in points {
            points.sort_by(|a, b| a.0.cmp(&b.0));
            places.set(&graph, GraphPlaces::new(points));
        }
        let mut calendar = Calendar::default();
        for (graph, mut subjects) in dated {
            subjects.sort_by(|a, b| a.0.cmp(&b.0));
            calendar.set(&graph, GraphCalendar::new(subjects));
        }
        *self.memory.write().unwrap_or_else(PoisonError::into_inner) = Memory {
            places: Arc::new(places),
            calendar: Arc::new(calendar),
        };
        Ok(())
    }

    /// The points, starts and locations as they are now, from one write.
    pub(crate) fn memory(&self) -> Memory {
        self.memory
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The spatial index as it is now.
    pub fn places(&self) -> Arc<Places> {
        self.memory().places
    }

    /// The starts and locations as they are now.
    pub fn calendar(&self) -> Arc<Calendar> {
        self.memory().calendar
    }

    /// Rebuilds the whole index from the named graphs of `backend`, leaving out `skip` (the
    /// pipeline's meta graph). Searches answer from the old index until it is done.
    pub fn rebuild(&self, backend: &dyn Backend, skip: &[NamedNode]) -> Result<Stats, SearchError> {
        let graphs: Vec<NamedNode> = backend
            .graphs()?
            .into_iter()
            .map(|g| g.name)
            .filter(|g| !skip.contains(g))
            .collect();
        let stats = self.write(backend, &graphs, true)?;
        std::fs::write(self.dir.join(FORMAT_FILE), format!("{FORMAT}\n"))
            .map_err(|e| SearchError::io(&self.dir, e))?;
        Ok(stats)
    }

    /// Follows an ingest: indexes the graphs in `changed` anew (their old documents go) and
    /// removes graphs the store no longer has. Costs time in proportion to the changed graphs
    /// (and a look at the store's list of graphs), not to the store.
    pub fn update(
        &self,
        backend: &dyn Backend,
        changed: &[NamedNode],
        skip: &[NamedNode],
    ) -> Result<Stats, SearchError> {
        let present: HashSet<String> = backend
            .graphs()?
            .into_iter()
            .map(|g| g.name.into_string())
            .collect();
        let mut graphs: Vec<NamedNode> = changed
            .iter()
            .filter(|g| !skip.contains(g))
            .cloned()
            .collect();
        for gone in self.indexed_graphs()? {
            if !present.contains(&gone) {
                graphs.push(NamedNode::new_unchecked(gone));
            }
        }
        graphs.sort();
        graphs.dedup();
        if graphs.is_empty() {
            return Ok(Stats::default());
        }
        self.write(backend, &graphs, false)
    }

    /// The graphs that have documents in the index.
    pub fn indexed_graphs(&self) -> Result<Vec<String>, SearchError> {
        let searcher = self.reader.searcher();
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(self.fields.graph)
                .map_err(tantivy_error(&self.dir))?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(|e| SearchError::io(&self.dir, e))?;
            while terms.advance() {
                if let Ok(name) = std::str::from_utf8(terms.key()) {
                    out.insert(name.to_owned());
                }
            }
        }
        // A graph whose documents are all deleted keeps its term until segments merge.
        let mut live = Vec::new();
        for name in out {
            let query = TermQuery::new(
                Term::from_field_text(self.fields.graph, &name),
                IndexRecordOption::Basic,
            );
            if searcher
                .search(&query, &Count)
                .map_err(tantivy_error(&self.dir))?
                > 0
            {
                live.push(name);
            }
        }
        Ok(live)
    }

    /// Writes `graphs` anew (all of the index if `all`), commits, and swaps the spatial index.
    fn write(
        &self,
        backend: &dyn Backend,
        graphs: &[NamedNode],
        all: bool,
    ) -> Result<Stats, SearchError> {
        let _writing = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        let err = tantivy_error(&self.dir);
        let mut writer: tantivy::IndexWriter<TantivyDocument> =
            self.index.writer(WRITER_MEMORY).map_err(&err)?;
        let old = self.memory();
        let (mut places, mut calendar) = if all {
            (Places::default(), Calendar::default())
        } else {
            ((*old.places).clone(), (*old.calendar).clone())
        };
        if all {
            writer.delete_all_documents().map_err(&err)?;
        }
        let mut stats = Stats::default();
        for graph in graphs {
            writer.delete_term(Term::from_field_text(self.fields.graph, graph.as_str()));
            let graph_ref: NamedNodeRef<'_> = graph.as_ref();
            let docs = if backend.contains_graph(GraphNameRef::NamedNode(graph_ref))? {
                documents(backend.graph_triples(GraphNameRef::NamedNode(graph_ref))?)?
            } else {
                stats.removed += 1;
                Vec::new()
            };
            let mut points = Vec::new();
            let mut dated = Vec::new();
            for d in &docs {
                writer
                    .add_document(self.document(graph.as_str(), d))
                    .map_err(&err)?;
                if let Some(p) = d.point {
                    points.push((d.iri.clone(), p));
                }
                if d.is_dated() {
                    dated.push((d.iri.clone(), d.starts.clone(), d.locations.clone()));
                }
            }
            stats.graphs += usize::from(!docs.is_empty());
            stats.documents += docs.len();
            stats.points += points.len();
            stats.dated += dated.len();
            places.set(graph.as_str(), GraphPlaces::new(points));
            calendar.set(graph.as_str(), GraphCalendar::new(dated));
        }
        writer.commit().map_err(&err)?;
        self.reader.reload().map_err(&err)?;
        *self.memory.write().unwrap_or_else(PoisonError::into_inner) = Memory {
            places: Arc::new(places),
            calendar: Arc::new(calendar),
        };
        self.scores
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        // Each commit adds a segment; the writer merges them in the background. Letting the
        // merges finish (searches go on meanwhile) keeps the number of segments bounded over
        // many ingests; the merged segments are seen from the next reload.
        writer.wait_merging_threads().map_err(&err)?;
        self.reader.reload().map_err(&err)?;
        Ok(stats)
    }

    fn document(&self, graph: &str, d: &Document) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.iri, &d.iri);
        doc.add_text(f.graph, graph);
        for t in &d.types {
            doc.add_text(f.types, t);
        }
        let mut names = Terms::default();
        for n in &d.names {
            doc.add_text(f.names, n.value());
            self.analyzers
                .index(n.value(), Lang::of_tag(n.language()), &mut names);
        }
        let mut descriptions = Terms::default();
        for n in &d.descriptions {
            doc.add_text(f.descriptions, n.value());
            self.analyzers
                .index(n.value(), Lang::of_tag(n.language()), &mut descriptions);
        }
        doc.add_text(f.name_stems, names.stems.join(" "));
        doc.add_text(f.name_words, names.words.join(" "));
        doc.add_text(f.name_reversed, names.reversed.join(" "));
        doc.add_text(f.description_stems, descriptions.stems.join(" "));
        doc.add_text(f.description_words, descriptions.words.join(" "));
        doc.add_text(f.description_reversed, descriptions.reversed.join(" "));
        if let Some(p) = d.point {
            doc.add_text(f.has_point, "1");
            doc.add_f64(f.lat, p.lat);
            doc.add_f64(f.lon, p.lon);
        }
        if d.is_dated() {
            doc.add_text(f.has_when, "1");
        }
        for s in &d.starts {
            doc.add_i64(f.start, *s);
        }
        for l in &d.locations {
            doc.add_text(f.location, l);
        }
        doc
    }

    /// The text query for `words`, restricted to `types`; `None` if there are no words.
    fn text_query(
        &self,
        words: &[QueryWord],
        types: &[String],
    ) -> Result<Box<dyn Query>, SearchError> {
        let f = self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in words {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for s in &w.stems {
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term_query(f.name_stems, s), NAME_BOOST)),
                ));
                any.push((Occur::Should, term_query(f.description_stems, s)));
            }
            for p in &w.parts {
                let reversed: String = p.chars().rev().collect();
                for (field, part, score) in [
                    (f.name_words, p.as_str(), NAME_PART_SCORE),
                    (f.name_reversed, reversed.as_str(), NAME_PART_SCORE),
                    (f.description_words, p.as_str(), DESCRIPTION_PART_SCORE),
                    (
                        f.description_reversed,
                        reversed.as_str(),
                        DESCRIPTION_PART_SCORE,
                    ),
                ] {
                    let regex =
                        RegexQuery::from_pattern(&format!("{}.+", regex_escape(part)), field)
                            .map_err(tantivy_error(&self.dir))?;
                    any.push((
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(Box::new(regex), score)),
                    ));
                }
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !types.is_empty() {
            let any = types
                .iter()
                .map(|t| (Occur::Should, term_query(f.types, t)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        Ok(Box::new(BooleanQuery::new(must)))
    }

    /// Answers `request`: ranked by text score when it has text, else by distance when it has a
    /// point, else by IRI.
    pub fn search(&self, request: &Request) -> Result<Hits, SearchError> {
        let words = request
            .text
            .as_deref()
            .map(|t| self.analyzers.query(t))
            .unwrap_or_default();
        let searcher = self.reader.searcher();
        let err = tantivy_error(&self.dir);
        let places = self.places();
        let spatial = request.near.is_some() || request.bbox.is_some();
        let want = request.offset + request.limit + 1;
        let mut hits: Vec<Hit> = Vec::new();
        let mut total;
        if !words.is_empty() {
            let query = self.text_query(&words, &request.types)?;
            let limit = if spatial { MAX_CANDIDATES } else { want };
            let (top, count) = searcher
                .search(
                    &query,
                    &(TopDocs::with_limit(limit).order_by_score(), Count),
                )
                .map_err(&err)?;
            total = count;
            let mut kept = 0;
            for (score, address) in top {
                let doc: TantivyDocument = searcher.doc(address).map_err(&err)?;
                let mut hit = self.hit(&doc);
                hit.score = Some(score);
                if spatial {
                    let Some(p) = hit.point else { continue };
                    if !self.in_area(request, p, &mut hit) {
                        continue;
                    }
                }
                kept += 1;
                if hits.len() < want {
                    hits.push(hit);
                }
            }
            if spatial {
                total = kept;
            }
        } else if spatial {
            let found = match (request.near, request.bbox) {
                (Some((centre, Some(radius))), _) => places.within(centre, radius),
                // Without a filter the first page's worth is enough; with one, all in order.
                (Some((centre, None)), _) if request.types.is_empty() && request.bbox.is_none() => {
                    places.nearest(centre, want)
                }
                (Some((centre, None)), _) => places.nearest(centre, places.len()),
                (None, Some(bbox)) => {
                    let mut f = places.in_box(bbox);
                    f.sort_by(|a, b| a.iri.cmp(&b.iri));
                    f
                }
                (None, None) => Vec::new(),
            };
            total = 0;
            for f in found {
                if let Some(bbox) = request.bbox
                    && !bbox.contains(f.point)
                {
                    continue;
                }
                let Some(doc) = self.doc_of(&searcher, &f.iri)? else {
                    continue;
                };
                let mut hit = self.hit(&doc);
                if !request.types.is_empty() && !hit.types.iter().any(|t| request.types.contains(t))
                {
                    continue;
                }
                hit.distance_m = f.distance_m;
                total += 1;
                if hits.len() < want {
                    hits.push(hit);
                } else if request.near.is_some_and(|n| n.1.is_none()) {
                    // Nearest first without a radius: the rest are not counted.
                    break;
                }
            }
            if request.types.is_empty()
                && request.bbox.is_none()
                && request.near.is_some_and(|n| n.1.is_none())
            {
                total = places.len();
            }
        } else {
            return Err(SearchError::Request(
                "a search needs words (q), a point (near) or a box (bbox)".into(),
            ));
        }
        let more = hits.len() > request.offset + request.limit;
        let mut hits: Vec<Hit> = hits
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .collect();
        for hit in &mut hits {
            if request.snippets && !words.is_empty() {
                hit.snippet = self.snippet(&searcher, &hit.iri, &words)?;
            }
        }
        Ok(Hits { hits, more, total })
    }

    /// Whether `p` is in the request's area; sets the hit's distance.
    fn in_area(&self, request: &Request, p: Point, hit: &mut Hit) -> bool {
        if let Some(bbox) = request.bbox
            && !bbox.contains(p)
        {
            return false;
        }
        if let Some((centre, radius)) = request.near {
            let d = centre.distance_m(p);
            hit.distance_m = Some(d);
            if radius.is_some_and(|r| d > r) {
                return false;
            }
        }
        true
    }

    fn doc_of(
        &self,
        searcher: &tantivy::Searcher,
        iri: &str,
    ) -> Result<Option<TantivyDocument>, SearchError> {
        let err = tantivy_error(&self.dir);
        let query = TermQuery::new(
            Term::from_field_text(self.fields.iri, iri),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(&err)?;
        top.first()
            .map(|(_, a)| searcher.doc(*a).map_err(&err))
            .transpose()
    }

    fn hit(&self, doc: &TantivyDocument) -> Hit {
        let f = self.fields;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let number = |field| doc.get_first(field).and_then(|v| v.as_f64());
        Hit {
            iri: text(f.iri).unwrap_or_default(),
            graph: text(f.graph).unwrap_or_default(),
            types: doc
                .get_all(f.types)
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            label: text(f.names),
            snippet: None,
            score: None,
            point: number(f.lat)
                .zip(number(f.lon))
                .and_then(|(a, o)| Point::new(a, o)),
            distance_m: None,
        }
    }

    fn snippet(
        &self,
        searcher: &tantivy::Searcher,
        iri: &str,
        words: &[QueryWord],
    ) -> Result<Option<String>, SearchError> {
        let Some(doc) = self.doc_of(searcher, iri)? else {
            return Ok(None);
        };
        let f = self.fields;
        Ok(doc
            .get_all(f.names)
            .chain(doc.get_all(f.descriptions))
            .filter_map(|v| v.as_str())
            .find_map(|text| self.analyzers.snippet(text, words, 200)))
    }

    /// The hits of a text search for `text` (the first [`MAX_CANDIDATES`], as
    /// [`SearchIndex::search`] ranks them) by IRI, with their scores. Kept for the next call
    /// with the same text until the index changes, so that a SPARQL function called once per
    /// solution searches once.
    pub fn scores(&self, text: &str) -> Result<Arc<HashMap<String, f32>>, SearchError> {
        if let Some(kept) = self
            .scores
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(text)
        {
            return Ok(Arc::clone(kept));
        }
        let scores: Arc<HashMap<String, f32>> =
            Arc::new(self.ranked(text, MAX_CANDIDATES)?.into_iter().collect());
        let mut kept = self.scores.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= KEPT_SCORES {
            kept.clear();
        }
        kept.insert(text.to_owned(), Arc::clone(&scores));
        Ok(scores)
    }

    /// The first `limit` hits of a text search for `text`, best first, as IRIs with their
    /// scores; read from the column of IRIs, without loading the documents.
    pub fn ranked(&self, text: &str, limit: usize) -> Result<Vec<(String, f32)>, SearchError> {
        let words = self.analyzers.query(text);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let err = tantivy_error(&self.dir);
        let searcher = self.reader.searcher();
        let query = self.text_query(&words, &[])?;
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit).order_by_score())
            .map_err(&err)?;
        let mut columns: HashMap<u32, tantivy::columnar::StrColumn> = HashMap::new();
        let mut out = Vec::with_capacity(top.len());
        let mut iri = String::new();
        for (score, address) in top {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(c) => c.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let column = searcher
                        .segment_reader(address.segment_ord)
                        .fast_fields()
                        .str("iri")
                        .map_err(&err)?
                        .ok_or_else(|| SearchError::io(&self.dir, "no column of IRIs"))?;
                    v.insert(column)
                }
            };
            let Some(ord) = column.term_ords(address.doc_id).next() else {
                continue;
            };
            iri.clear();
            column
                .ord_to_str(ord, &mut iri)
                .map_err(|e| SearchError::io(&self.dir, e))?;
            out.push((iri.clone(), score));
        }
        Ok(out)
    }

    /// The point of `iri`, if the index has one.
    pub fn point(&self, iri: &str) -> Result<Option<Point>, SearchError> {
        let searcher = self.reader.searcher();
        Ok(self
            .doc_of(&searcher, iri)?
            .and_then(|d| self.hit(&d).point))
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// `text` as a regular expression that matches itself.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
