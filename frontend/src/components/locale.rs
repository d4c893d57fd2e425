//! Countries offered in the sign-up and settings forms, with their usual currency, and
//! the browser's time zones.

use js_sys::{Array, Function, Intl, Object, Reflect};
use wasm_bindgen::JsCast;

/// The browser's own time zone, an IANA name such as `Africa/Lagos` (what
/// `Intl.DateTimeFormat().resolvedOptions().timeZone` says), if it says one.
pub fn browser_time_zone() -> Option<String> {
    let options = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
    Reflect::get(&options, &"timeZone".into())
        .ok()?
        .as_string()
        .filter(|zone| !zone.is_empty())
}

/// The time zones the browser knows (`Intl.supportedValuesOf("timeZone")`), as
/// suggestions; empty where the browser cannot list them.
pub fn time_zones() -> Vec<String> {
    let list = || -> Option<Vec<String>> {
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let supported = Reflect::get(&intl, &"supportedValuesOf".into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        let zones = supported.call1(&intl, &"timeZone".into()).ok()?;
        Some(
            Array::from(&zones)
                .iter()
                .filter_map(|z| z.as_string())
                .collect(),
        )
    };
    list().unwrap_or_default()
}

/// A country the business may be in.
#[derive(Debug)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code, as the API expects.
    pub code: &'static str,
    /// English name.
    pub name: &'static str,
    /// ISO 4217 code of its currency.
    pub currency: &'static str,
}

const fn country(code: &'static str, name: &'static str, currency: &'static str) -> Country {
    Country {
        code,
        name,
        currency,
    }
}

/// Countries where businesses commonly sell on WhatsApp, by name.
pub const COUNTRIES: &[Country] = &[
    country("AR", "Argentina", "ARS"),
    country("AU", "Australia", "AUD"),
    country("BD", "Bangladesh", "BDT"),
    country("BR", "Brazil", "BRL"),
    country("CM", "Cameroon", "XAF"),
    country("CA", "Canada", "CAD"),
    country("CL", "Chile", "CLP"),
    country("CO", "Colombia", "COP"),
    country("CI", "Côte d'Ivoire", "XOF"),
    country("EG", "Egypt", "EGP"),
    country("ET", "Ethiopia", "ETB"),
    country("FR", "France", "EUR"),
    country("DE", "Germany", "EUR"),
    country("GH", "Ghana", "GHS"),
    country("IN", "India", "INR"),
    country("ID", "Indonesia", "IDR"),
    country("IE", "Ireland", "EUR"),
    country("IT", "Italy", "EUR"),
    country("KE", "Kenya", "KES"),
    country("MY", "Malaysia", "MYR"),
    country("MX", "Mexico", "MXN"),
    country("MA", "Morocco", "MAD"),
    country("NL", "Netherlands", "EUR"),
    country("NG", "Nigeria", "NGN"),
    country("PK", "Pakistan", "PKR"),
    country("PE", "Peru", "PEN"),
    country("PH", "Philippines", "PHP"),
    country("PT", "Portugal", "EUR"),
    country("RW", "Rwanda", "RWF"),
    country("SA", "Saudi Arabia", "SAR"),
    country("SN", "Senegal", "XOF"),
    country("ZA", "South Africa", "ZAR"),
    country("ES", "Spain", "EUR"),
    country("TZ", "Tanzania", "TZS"),
    country("TR", "Türkiye", "TRY"),
    country("UG", "Uganda", "UGX"),
    country("AE", "United Arab Emirates", "AED"),
    country("GB", "United Kingdom", "GBP"),
    country("US", "United States", "USD"),
    country("VN", "Vietnam", "VND"),
    country("ZM", "Zambia", "ZMW"),
];

/// The usual currency of `country_code`, if the country is listed.
pub fn currency_of(country_code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|country| country.code == country_code)
        .map(|country| country.currency)
}

/// Every listed currency code once, sorted: suggestions for currency inputs.
pub fn currency_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = COUNTRIES.iter().map(|country| country.currency).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}
