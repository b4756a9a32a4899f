//! GeoJSON geometries (<https://www.rfc-editor.org/rfc/rfc7946#section-3.1>) as GeoSPARQL
//! (`geo:hasGeometry` [`geo:asWKT`], <https://www.ogc.org/standard/geosparql/>) and, for points,
//! as schema.org coordinates, alike for every connector that reads GeoJSON-shaped input.

use crate::Context;
use crate::record::{Node, Record};
use kulturnetz_model::vocab::{geo, schema};
use oxrdf::NamedNode;
use oxrdf::vocab::{rdf, xsd};
use serde_json::Value;

/// A GeoJSON position as (longitude, latitude), if valid.
pub(crate) fn point(position: Option<&Value>) -> Option<(f64, f64)> {
    let position = position?.as_array()?;
    let lon = position.first()?.as_f64()?;
    let lat = position.get(1)?.as_f64()?;
    ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then_some((lon, lat))
}

/// The WKT of a list of positions: `x y, x y, …`.
fn positions(list: &Value) -> Option<String> {
    let list = list.as_array()?;
    if list.is_empty() {
        return None;
    }
    let points: Option<Vec<String>> = list
        .iter()
        .map(|p| point(Some(p)).map(|(x, y)| format!("{x} {y}")))
        .collect();
    Some(points?.join(", "))
}

/// The WKT of a list of lists of positions: `(…), (…)`.
fn rings(list: &Value) -> Option<String> {
    let list = list.as_array()?;
    if list.is_empty() {
        return None;
    }
    let rings: Option<Vec<String>> = list
        .iter()
        .map(|r| positions(r).map(|p| format!("({p})")))
        .collect();
    Some(rings?.join(", "))
}

/// The WKT (<https://www.ogc.org/standard/sfa/>) of a GeoJSON geometry, if it is valid.
pub(crate) fn wkt(geometry: &Value) -> Option<String> {
    let coordinates = geometry.get("coordinates")?;
    Some(match geometry.get("type")?.as_str()? {
        "Point" => {
            let (x, y) = point(Some(coordinates))?;
            format!("POINT({x} {y})")
        }
        "MultiPoint" => format!("MULTIPOINT({})", positions(coordinates)?),
        "LineString" => format!("LINESTRING({})", positions(coordinates)?),
        "MultiLineString" => format!("MULTILINESTRING({})", rings(coordinates)?),
        "Polygon" => format!("POLYGON({})", rings(coordinates)?),
        "MultiPolygon" => {
            let polygons: Option<Vec<String>> = coordinates
                .as_array()?
                .iter()
                .map(|p| rings(p).map(|r| format!("({r})")))
                .collect();
            let polygons = polygons?;
            if polygons.is_empty() {
                return None;
            }
            format!("MULTIPOLYGON({})", polygons.join(", "))
        }
        _ => return None,
    })
}

/// `geo:hasGeometry` and, for a point, `schema:geo`, of `subject`, the place `place`.
pub(crate) fn add(
    geometry: &Value,
    place: &NamedNode,
    subject: Node,
    cx: &Context<'_>,
    t: &mut Record,
) {
    let Some(wkt) = wkt(geometry) else {
        return;
    };
    let node = t.node(cx.part_node(place.as_str(), "geometry"));
    t.add(subject, geo::HAS_GEOMETRY, node);
    t.add(node, rdf::TYPE, geo::GEOMETRY);
    t.typed(node, geo::AS_WKT, &wkt, geo::WKT_LITERAL);
    if geometry.get("type").and_then(Value::as_str) == Some("Point")
        && let Some((lon, lat)) = point(geometry.get("coordinates"))
    {
        add_coordinates(lon, lat, place, subject, cx, t);
    }
}

/// `schema:geo` [`schema:GeoCoordinates`] of `subject`, the place `place`.
pub(crate) fn add_coordinates(
    lon: f64,
    lat: f64,
    place: &NamedNode,
    subject: Node,
    cx: &Context<'_>,
    t: &mut Record,
) {
    let node = t.node(cx.part_node(place.as_str(), "coordinates"));
    t.add(subject, schema::GEO, node);
    t.a(node, schema::GEO_COORDINATES);
    t.typed(node, schema::LATITUDE, &decimal(lat), xsd::DECIMAL);
    t.typed(node, schema::LONGITUDE, &decimal(lon), xsd::DECIMAL);
}

/// A number in `xsd:decimal` form (Rust never writes an exponent for `f64`).
fn decimal(x: f64) -> String {
    let s = x.to_string();
    if s.contains('.') { s } else { format!("{s}.0") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wkt_of_geometries() {
        assert_eq!(
            wkt(&json!({"type": "Point", "coordinates": [13.5, 52]})).as_deref(),
            Some("POINT(13.5 52)")
        );
        assert_eq!(
            wkt(&json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}))
                .as_deref(),
            Some("POLYGON((0 0, 1 0, 1 1, 0 0))")
        );
        assert_eq!(
            wkt(&json!({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [0, 0]]], [[[2, 2], [3, 2], [2, 2]]]]}))
                .as_deref(),
            Some("MULTIPOLYGON(((0 0, 1 0, 0 0)), ((2 2, 3 2, 2 2)))")
        );
        assert_eq!(wkt(&json!({"...": "..."})), None);
        assert_eq!(
            wkt(&json!({"type": "Point", "coordinates": [200, 0]})),
            None
        );
        assert_eq!(
            wkt(&json!({"type": "Point", "coordinates": ["a", 0]})),
            None
        );
        assert_eq!(decimal(52.0), "52.0");
    }
}
