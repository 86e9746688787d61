//! A deterministic synthetic company: accounts and contacts with Spanish names, unique
//! emails and tax ids, phones, tags and owners, generated without a random crate.

use serde_json::{Value, json};

/// SplitMix64: small, fast, and the same sequence on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

pub const FIRST: &[&str] = &[
    "María",
    "José",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "Jorge",
    "Lucía",
    "Carlos",
    "Sofía",
    "Miguel",
    "Laura",
    "Javier",
    "Marta",
    "Diego",
    "Paula",
    "Andrés",
    "Elena",
    "Fernando",
    "Valentina",
    "Martín",
    "Camila",
    "Ricardo",
    "Gabriela",
    "Alejandro",
    "Florencia",
    "Sergio",
    "Julieta",
    "Pablo",
    "Agustina",
    "Raúl",
    "Inés",
    "Tomás",
    "Ángela",
    "Emilio",
    "Rocío",
    "Iván",
    "Belén",
    "Hernán",
    "Noelia",
    "Gustavo",
    "Verónica",
    "Ramón",
    "Natalia",
    "Héctor",
    "Silvina",
    "Óscar",
    "Mónica",
    "Rubén",
    "Patricia",
    "Nicolás",
    "Daniela",
    "Matías",
    "Victoria",
    "Federico",
    "Carolina",
    "Gonzalo",
    "Lorena",
    "Esteban",
    "Mariana",
];

pub const LAST: &[&str] = &[
    "García",
    "Rodríguez",
    "González",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Martín",
    "Jiménez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Muñoz",
    "Álvarez",
    "Romero",
    "Alonso",
    "Gutiérrez",
    "Navarro",
    "Torres",
    "Domínguez",
    "Vázquez",
    "Ramos",
    "Gil",
    "Ramírez",
    "Serrano",
    "Blanco",
    "Molina",
    "Morales",
    "Suárez",
    "Ortega",
    "Delgado",
    "Castro",
    "Ortiz",
    "Rubio",
    "Marín",
    "Sanz",
    "Núñez",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Castillo",
    "Santos",
    "Lozano",
    "Guerrero",
    "Cano",
    "Prieto",
    "Méndez",
    "Cruz",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Márquez",
    "Herrera",
    "Peña",
    "Flores",
    "Cabrera",
    "Campos",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Díez",
    "Caballero",
    "Reyes",
    "Nieto",
    "Aguilar",
    "Pascual",
    "Santana",
    "Herrero",
    "Lorenzo",
    "Montero",
    "Hidalgo",
    "Giménez",
    "Ibáñez",
    "Ferrer",
    "Durán",
    "Santiago",
    "Benítez",
    "Mora",
    "Vicente",
    "Vargas",
    "Arias",
    "Carmona",
    "Crespo",
    "Román",
    "Pastor",
    "Soto",
    "Sáez",
    "Velasco",
    "Moya",
    "Soler",
    "Parra",
    "Esteban",
    "Bravo",
    "Gallardo",
    "Rojas",
];

const SECTORS: &[&str] = &[
    "Agropecuaria",
    "Distribuidora",
    "Comercial",
    "Metalúrgica",
    "Textil",
    "Logística",
    "Inmobiliaria",
    "Consultora",
    "Ferretería",
    "Alimentos",
    "Transportes",
    "Laboratorio",
    "Estudio",
    "Constructora",
    "Bodega",
];
const PLACES: &[&str] = &[
    "del Sur",
    "Norte",
    "Pampeana",
    "Andina",
    "del Litoral",
    "Cuyana",
    "Patagónica",
    "del Plata",
    "Central",
    "del Valle",
    "Serrana",
    "Atlántica",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("CABA", "Buenos Aires", "AR"),
    ("Rosario", "Santa Fe", "AR"),
    ("Córdoba", "Córdoba", "AR"),
    ("Mendoza", "Mendoza", "AR"),
    ("Ciudad de México", "CDMX", "MX"),
    ("Guadalajara", "Jalisco", "MX"),
    ("Monterrey", "Nuevo León", "MX"),
    ("Madrid", "Madrid", "ES"),
    ("Barcelona", "Cataluña", "ES"),
    ("Valencia", "Valencia", "ES"),
];
const JOBS: &[&str] = &[
    "Gerente de Compras",
    "Dueño",
    "Jefa de Logística",
    "Contadora",
    "Gerente General",
    "Vendedor",
    "Responsable de Calidad",
    "Director Comercial",
    "Administrativa",
    "Jefe de Planta",
];
const TAGS: &[&str] = &[
    "VIP",
    "Zona Norte",
    "Exportador",
    "Moroso",
    "Mayorista",
    "Newsletter",
];
const KINDS: &[&str] = &[
    "customer", "customer", "customer", "prospect", "prospect", "supplier", "partner",
];
const INDUSTRIES: &[&str] = &[
    "Agro",
    "Comercio",
    "Industria",
    "Servicios",
    "Logística",
    "Educación",
    "Inmobiliario",
];

/// The input of account number `n` (unique name, email and tax id).
pub fn account(n: usize, owner: &str) -> Value {
    let mut r = Rng::new(n as u64 ^ 0xACC0);
    let (city, province, country) = CITIES[r.below(CITIES.len())];
    let name = format!("{} {} {}", r.pick(SECTORS), r.pick(PLACES), n);
    let prefix = format!("30{:08}", n);
    let tax_id = cartera_core::tax_ids::cuit_with_check_digit(&prefix).unwrap_or(prefix);
    let mut tags: Vec<&str> = Vec::new();
    if r.below(10) == 0 {
        tags.push(TAGS[r.below(TAGS.len())]);
    }
    let class = ["A", "B", "C"][r.below(3)];
    json!({
        "kind": r.pick(KINDS),
        "name": name,
        "tax_id": tax_id,
        "industry": r.pick(INDUSTRIES),
        "classification": class,
        "billing_address": {"street": format!("Calle {} {}", r.pick(LAST), 100 + r.below(9000)), "city": city, "province": province, "country": country},
        "emails": [{"address": format!("contacto{n}@empresa{n}.com")}],
        "phones": [{"number": format!("+54 11 {:04}-{:04}", r.below(10000), r.below(10000))}],
        "owner_id": owner,
        "tags": tags,
    })
}

/// The input of contact number `n` at `account_id`. A person's name is unique within
/// its account (the `n / accounts` slice picks the first name), so no input is refused
/// as a duplicate.
pub fn contact(n: usize, accounts: usize, account_id: &str, owner: &str) -> Value {
    let mut r = Rng::new(n as u64 ^ 0xC0C0);
    let slice = n / accounts.max(1);
    let first = FIRST[(slice * 7 + r.below(7)) % FIRST.len()];
    let last = r.pick(LAST);
    let local = cartera_core::text::fold(&format!("{}.{}", first, last)).replace(' ', "");
    let mut c = json!({
        "first_name": first,
        "last_name": last,
        "emails": [{"address": format!("{local}.{n}@correo{}.com", n % 97)}],
        "phones": [{"number": format!("+54 9 11 {:04}-{:04}", r.below(10000), r.below(10000))}],
        "account_id": account_id,
        "job_title": r.pick(JOBS),
        "owner_id": owner,
    });
    if r.below(3) == 0 {
        c["birthday"] = json!(format!(
            "{}-{:02}-{:02}",
            1950 + r.below(50),
            1 + r.below(12),
            1 + r.below(28)
        ));
    }
    if r.below(10) == 0 {
        c["tags"] = json!([r.pick(TAGS)]);
    }
    if r.below(4) == 0 {
        c["marketing_consent"] = json!(true);
    }
    c
}
