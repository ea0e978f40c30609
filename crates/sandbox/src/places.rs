//! Places a post can be tagged at: Facebook Pages with a location, found by name through the
//! Pages search (`GET /pages/search?q=…&fields=id,name,location`) as Meta offers it. The
//! sandbox knows a fixed few; a `location_id` that is not one of them is refused like Meta
//! refuses a Page without a location.

use crealia_graph::wire::{Id, Page, Place, PlaceLocation};
use serde_json::{json, Value};

use crate::call::Call;
use crate::error::{ApiError, ApiResult};

/// (id, name, street, city, country, latitude, longitude).
const PLACES: &[(&str, &str, &str, &str, &str, f64, f64)] = &[
    ("110774245616525", "Café de Flore", "172 Boulevard Saint-Germain", "Paris", "France", 48.8541, 2.3326),
    ("106078429431815", "Jardin du Luxembourg", "Rue de Médicis", "Paris", "France", 48.8462, 2.3372),
    ("112604772085346", "Fabrique Bakery", "Götgatan 78", "Stockholm", "Sweden", 59.3075, 18.0760),
    ("108565405839432", "Vete-Katten", "Kungsgatan 55", "Stockholm", "Sweden", 59.3346, 18.0594),
    ("104048449631599", "Tate Modern", "Bankside", "London", "United Kingdom", 51.5076, -0.0994),
    ("115362705149171", "Borough Market", "8 Southwark Street", "London", "United Kingdom", 51.5055, -0.0910),
    ("109190345773225", "Mercado de San Miguel", "Plaza de San Miguel", "Madrid", "Spain", 40.4154, -3.7090),
    ("105675019461014", "Tsukiji Outer Market", "4 Chome-16-2 Tsukiji", "Tokyo", "Japan", 35.6655, 139.7707),
    ("113198335362491", "Blue Bottle Coffee", "66 Mint Street", "San Francisco", "United States", 37.7826, -122.4075),
    ("107611279261754", "Central Park", "59th to 110th Street", "New York", "United States", 40.7829, -73.9654),
];

fn place((id, name, street, city, country, latitude, longitude): &(&str, &str, &str, &str, &str, f64, f64)) -> Place {
    Place {
        id: Id(id.to_string()),
        name: name.to_string(),
        location: Some(PlaceLocation {
            street: Some(street.to_string()),
            city: Some(city.to_string()),
            country: Some(country.to_string()),
            latitude: Some(*latitude),
            longitude: Some(*longitude),
        }),
    }
}

/// Whether `id` is a place the sandbox knows.
pub fn known(id: &str) -> bool {
    PLACES.iter().any(|p| p.0 == id)
}

/// `GET /pages/search?q=…`: places whose name or city holds every word of `q` (case and
/// accents aside), at most `limit` (25 by default).
pub fn search(call: &Call<'_>) -> ApiResult<Value> {
    let q = call.params.get("q").ok_or_else(|| ApiError::invalid_parameter("The parameter q is required"))?;
    let limit = call.params.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(25).clamp(1, 100);
    let words: Vec<String> = q.split_whitespace().map(fold).collect();
    let data: Vec<Place> = PLACES
        .iter()
        .filter(|p| {
            let text = fold(&format!("{} {}", p.1, p.3));
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .take(limit)
        .map(place)
        .collect();
    Ok(json!(Page { data, paging: None }))
}

/// Lower case without the accents French and Swedish names carry.
fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'å' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}
