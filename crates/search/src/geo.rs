//! Points on the earth, distances in metres, and the spatial index (an R-tree per graph).
//!
//! Distances are great-circle distances on a sphere of the WGS84 mean radius (haversine). Against
//! the ellipsoid (Vincenty, Karney) they err by at most 0.56 % of the distance (the sphere is too
//! short towards the poles and too long along the equator); within Germany, for the distances a
//! visitor walks or drives, typically by less than 0.3 %. Points are kept in the R-tree as unit
//! vectors, whose straight-line (chord) distance grows with the great-circle distance, so that
//! nearest-neighbour order in the tree is exactly the order of the haversine distance.

use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};
use std::collections::HashMap;
use std::sync::Arc;

pub use kulturnetz_link::EARTH_RADIUS_M;

/// A point in degrees of WGS84 latitude and longitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Latitude, −90 to 90.
    pub lat: f64,
    /// Longitude, −180 to 180.
    pub lon: f64,
}

impl Point {
    /// The point, if its coordinates are on the earth.
    pub fn new(lat: f64, lon: f64) -> Option<Self> {
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && lat.is_finite())
            .then_some(Self { lat, lon })
    }

    /// The great-circle distance to `other`, in metres (haversine).
    pub fn distance_m(self, other: Point) -> f64 {
        let point = |p: Point| kulturnetz_link::Point {
            lat: p.lat,
            lon: p.lon,
        };
        point(self).distance(point(other))
    }

    /// The point as a unit vector from the earth's centre.
    fn unit(self) -> [f64; 3] {
        let (lat, lon) = (self.lat.to_radians(), self.lon.to_radians());
        [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
    }
}

/// The squared chord between two unit vectors `metres` apart on the sphere.
fn chord_2(metres: f64) -> f64 {
    let angle = (metres / EARTH_RADIUS_M).min(std::f64::consts::PI);
    let chord = 2.0 * (angle / 2.0).sin();
    chord * chord
}

/// A rectangle of latitudes and longitudes (`west > east` crosses the antimeridian).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    /// Southern edge.
    pub south: f64,
    /// Western edge.
    pub west: f64,
    /// Northern edge.
    pub north: f64,
    /// Eastern edge.
    pub east: f64,
}

impl BoundingBox {
    /// Whether `p` lies in the box, edges included.
    pub fn contains(&self, p: Point) -> bool {
        let lon_in = if self.west <= self.east {
            (self.west..=self.east).contains(&p.lon)
        } else {
            p.lon >= self.west || p.lon <= self.east
        };
        lon_in && (self.south..=self.north).contains(&p.lat)
    }
}

/// Reads the coordinates of a WKT geometry (`POINT(lon lat)`, with an optional CRS IRI before
/// it as GeoSPARQL allows; of any other geometry the centroid of its vertices). Only WGS84
/// longitude-latitude (CRS84, the GeoSPARQL default) is understood; `None` for anything else.
pub fn parse_wkt(wkt: &str) -> Option<Point> {
    let mut text = wkt.trim();
    if let Some(rest) = text.strip_prefix('<') {
        let (crs, rest) = rest.split_once('>')?;
        if !crs.ends_with("/CRS84") && !crs.ends_with("/4326") {
            return None;
        }
        text = rest.trim_start();
    }
    let open = text.find('(')?;
    let kind = text[..open].trim().to_ascii_uppercase();
    // Z and M values follow x and y; only the first two numbers of a vertex count.
    let kind = kind
        .trim_end_matches(" ZM")
        .trim_end_matches(" Z")
        .trim_end_matches(" M");
    let body = &text[open..];
    let (mut lon_sum, mut lat_sum, mut n) = (0.0, 0.0, 0u32);
    for vertex in body.split([',', '(', ')']) {
        let mut numbers = vertex.split_whitespace();
        let (Some(x), Some(y)) = (numbers.next(), numbers.next()) else {
            continue;
        };
        let (Ok(x), Ok(y)) = (x.parse::<f64>(), y.parse::<f64>()) else {
            return None;
        };
        lon_sum += x;
        lat_sum += y;
        n += 1;
        if kind == "POINT" {
            break;
        }
    }
    if n == 0 {
        return None;
    }
    Point::new(lat_sum / f64::from(n), lon_sum / f64::from(n))
}

/// A place in the index: its position and the number of its document in the graph's list.
type Entry = GeomWithData<[f64; 3], u32>;

/// The points of one graph.
#[derive(Debug, Default)]
pub struct GraphPlaces {
    tree: RTree<Entry>,
    /// The same points by longitude and latitude, for bounding boxes.
    flat: RTree<GeomWithData<[f64; 2], u32>>,
    /// Each point's subject and coordinates, by number.
    places: Vec<(String, Point)>,
}

impl GraphPlaces {
    /// The index of `places` (subject IRI, point).
    pub fn new(places: Vec<(String, Point)>) -> Self {
        let tree = RTree::bulk_load(
            places
                .iter()
                .enumerate()
                .map(|(i, (_, p))| Entry::new(p.unit(), i as u32))
                .collect(),
        );
        let flat = RTree::bulk_load(
            places
                .iter()
                .enumerate()
                .map(|(i, (_, p))| GeomWithData::new([p.lon, p.lat], i as u32))
                .collect(),
        );
        Self { tree, flat, places }
    }

    /// How many points the graph has.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Whether the graph has no points.
    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// A place found, with its distance from the centre of the search (if it had one).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The subject's IRI.
    pub iri: String,
    /// Where it is.
    pub point: Point,
    /// Metres from the centre.
    pub distance_m: Option<f64>,
}

/// Every graph's points: the spatial index. Cheap to clone (graphs are shared), so an update
/// builds the changed graph's tree aside and swaps the whole in one step.
#[derive(Debug, Clone, Default)]
pub struct Places {
    graphs: HashMap<String, Arc<GraphPlaces>>,
}

impl Places {
    /// Replaces the points of `graph` (none: removes the graph).
    pub fn set(&mut self, graph: &str, places: GraphPlaces) {
        if places.is_empty() {
            self.graphs.remove(graph);
        } else {
            self.graphs.insert(graph.to_owned(), Arc::new(places));
        }
    }

    /// Removes every point.
    pub fn clear(&mut self) {
        self.graphs.clear();
    }

    /// How many points there are.
    pub fn len(&self) -> usize {
        self.graphs.values().map(|g| g.len()).sum()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The point of `iri`, if it has one.
    pub fn point_of(&self, iri: &str) -> Option<Point> {
        // Only used for a handful of subjects per query; a map per graph would double memory.
        self.graphs
            .values()
            .flat_map(|g| g.places.iter())
            .find(|(s, _)| s == iri)
            .map(|(_, p)| *p)
    }

    /// The places within `metres` of `centre`, nearest first.
    pub fn within(&self, centre: Point, metres: f64) -> Vec<Found> {
        self.around(centre, metres)
            .into_iter()
            .map(|(distance_m, iri, point)| Found {
                iri: iri.to_owned(),
                point,
                distance_m: Some(distance_m),
            })
            .collect()
    }

    /// [`Places::within`] without copying the IRIs: (metres, IRI, point), nearest first, then
    /// by IRI.
    pub fn around(&self, centre: Point, metres: f64) -> Vec<(f64, &str, Point)> {
        let c = centre.unit();
        let mut found: Vec<(f64, &str, Point)> = self
            .graphs
            .values()
            .flat_map(|g| {
                g.tree.locate_within_distance(c, chord_2(metres)).map(|e| {
                    let (iri, point) = &g.places[e.data as usize];
                    (centre.distance_m(*point), iri.as_str(), *point)
                })
            })
            .filter(|(d, _, _)| *d <= metres)
            .collect();
        found.sort_by(|a, b| {
            a.0.partial_cmp(&b.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.1.cmp(b.1))
        });
        found
    }

    /// The `k` places nearest to `centre`, nearest first.
    pub fn nearest(&self, centre: Point, k: usize) -> Vec<Found> {
        let c = centre.unit();
        let mut found: Vec<Found> = self
            .graphs
            .values()
            .flat_map(|g| {
                g.tree
                    .nearest_neighbor_iter(c)
                    .take(k)
                    .map(|e| found_at(g, e.data, Some(centre)))
            })
            .collect();
        sort_by_distance(&mut found);
        found.truncate(k);
        found
    }

    /// The places in `bbox`, in no particular order (no distance).
    pub fn in_box(&self, bbox: BoundingBox) -> Vec<Found> {
        let boxes = if bbox.west <= bbox.east {
            vec![(bbox.west, bbox.east)]
        } else {
            vec![(bbox.west, 180.0), (-180.0, bbox.east)]
        };
        let mut found = Vec::new();
        for g in self.graphs.values() {
            for (west, east) in &boxes {
                let envelope = AABB::from_corners([*west, bbox.south], [*east, bbox.north]);
                found.extend(
                    g.flat
                        .locate_in_envelope(envelope)
                        .map(|e| found_at(g, e.data, None)),
                );
            }
        }
        found
    }
}

fn found_at(g: &GraphPlaces, n: u32, centre: Option<Point>) -> Found {
    let (iri, point) = &g.places[n as usize];
    Found {
        iri: iri.clone(),
        point: *point,
        distance_m: centre.map(|c| c.distance_m(*point)),
    }
}

fn sort_by_distance(found: &mut [Found]) {
    found.sort_by(|a, b| {
        a.distance_m
            .partial_cmp(&b.distance_m)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.iri.cmp(&b.iri))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_known_distance() {
        // Erfurt Dom to Weimar Goethehaus: 20.6 km on the ellipsoid.
        let erfurt = Point::new(50.9757, 11.0232).unwrap();
        let weimar = Point::new(50.9779, 11.3295).unwrap();
        let d = erfurt.distance_m(weimar);
        assert!((d - 21_450.0).abs() < 150.0, "{d}");
    }

    #[test]
    fn wkt_points_and_centroids() {
        assert_eq!(parse_wkt("POINT(11.5 50.25)"), Point::new(50.25, 11.5));
        assert_eq!(
            parse_wkt("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> Point (11 50)"),
            Point::new(50.0, 11.0)
        );
        assert_eq!(
            parse_wkt("POLYGON((10 50, 12 50, 12 52, 10 52))"),
            Point::new(51.0, 11.0)
        );
        assert_eq!(parse_wkt("POINT Z(1 2 3)"), Point::new(2.0, 1.0));
        assert_eq!(parse_wkt("POINT(200 10)"), None);
        assert_eq!(parse_wkt("POINT EMPTY"), None);
    }

    #[test]
    fn nearest_and_radius_equal_brute_force() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<(String, Point)> = (0..2000)
            .map(|i| {
                let p = Point::new(47.0 + 8.0 * next(), 5.0 + 10.0 * next()).unwrap();
                (format!("s{i}"), p)
            })
            .collect();
        let mut places = Places::default();
        places.set("a", GraphPlaces::new(points[..700].to_vec()));
        places.set("b", GraphPlaces::new(points[700..].to_vec()));
        let centre = Point::new(51.0, 10.0).unwrap();
        let mut brute: Vec<(f64, &str)> = points
            .iter()
            .map(|(s, p)| (centre.distance_m(*p), s.as_str()))
            .collect();
        brute.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let nearest = places.nearest(centre, 25);
        let nearest: Vec<&str> = nearest.iter().map(|f| f.iri.as_str()).collect();
        assert_eq!(nearest, brute[..25].iter().map(|b| b.1).collect::<Vec<_>>());
        let within = places.within(centre, 50_000.0);
        let expected: Vec<&str> = brute
            .iter()
            .filter(|b| b.0 <= 50_000.0)
            .map(|b| b.1)
            .collect();
        assert_eq!(
            within.iter().map(|f| f.iri.as_str()).collect::<Vec<_>>(),
            expected
        );
        let bbox = BoundingBox {
            south: 50.0,
            west: 9.0,
            north: 51.0,
            east: 11.0,
        };
        let mut in_box: Vec<String> = places.in_box(bbox).into_iter().map(|f| f.iri).collect();
        in_box.sort();
        let mut expected: Vec<String> = points
            .iter()
            .filter(|(_, p)| bbox.contains(*p))
            .map(|(s, _)| s.clone())
            .collect();
        expected.sort();
        assert_eq!(in_box, expected);
    }
}
