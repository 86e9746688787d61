//! The demo company: a realistic, Spanish-language dataset that makes a fresh Cartera
//! look alive. Deterministic: every run loads the same company, built from the tables
//! below with index arithmetic instead of randomness.
//!
//! Everything goes through the same use cases as the API, so audit events, the search
//! index and duplicate keys are written as for any other record.

use std::fmt;

use serde_json::{Map, Value, json};

use cartera_core::Id;
use cartera_core::accounts::AccountData;
use cartera_core::contacts::ContactData;
use cartera_core::leads::LeadData;
use cartera_core::record::{Record, RecordKind};
use cartera_core::tax_ids::cuit_with_check_digit;
use cartera_core::text::fold;
use cartera_core::users::Scope;

use crate::leads::ConvertInput;
use crate::records::{Kind, WriteOptions, create, list};
use crate::{Actor, App, AppError, Result};

/// What the demo loaded.
pub struct DemoReport {
    pub admin_id: Id,
    pub admin_email: String,
    /// The admin and the sales reps.
    pub users: usize,
    pub custom_fields: usize,
    /// Including the accounts made by converting leads.
    pub accounts: usize,
    /// Including the contacts made by converting leads.
    pub contacts: usize,
    pub leads: usize,
    pub converted_leads: usize,
    pub notes: usize,
    pub territories: usize,
    /// Products, deals, quotes and orders.
    pub sales: crate::demo_sales::SalesReport,
    /// The reps' visits, calls, tasks and meetings around today.
    pub activities: usize,
    /// Invoices, payments and cheques of the collections clerk's morning.
    pub billing: crate::demo_billing::BillingReport,
    /// The email of every demo user (the admin first), who all log in with the demo's
    /// password.
    pub logins: Vec<String>,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} accounts, {} contacts, {} leads ({} converted), {} notes, {} users, {} territories, {} custom fields, {} products, {} deals, {} quotes, {} orders, {} activities, {} invoices, {} payments, {} cheques",
            self.accounts,
            self.contacts,
            self.leads,
            self.converted_leads,
            self.notes,
            self.users,
            self.territories,
            self.custom_fields,
            self.sales.products,
            self.sales.deals,
            self.sales.quotes,
            self.sales.orders,
            self.activities,
            self.billing.invoices,
            self.billing.payments,
            self.billing.cheques
        )
    }
}

/// Records per bulk call; the API allows more, the demo stays well under.
const BATCH: usize = 200;

// ---------------------------------------------------------------------------------------
// Data tables
// ---------------------------------------------------------------------------------------

const ADMIN: (&str, &str) = ("admin@demo.cartera.local", "Admin Demo");

/// (email, name, countries whose accounts and leads the rep owns)
type Rep = (&'static str, &'static str, &'static [&'static str]);

const REPS: &[Rep] = &[
    (
        "lucia.fernandez@demo.cartera.local",
        "Lucía Fernández",
        &["AR"],
    ),
    (
        "martin.gomez@demo.cartera.local",
        "Martín Gómez",
        &["AR", "MX"],
    ),
    ("sofia.ramirez@demo.cartera.local", "Sofía Ramírez", &["MX"]),
    ("diego.herrera@demo.cartera.local", "Diego Herrera", &["ES"]),
];

/// (city, province, country, phone area code, postal code)
type City = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const CITIES: &[City] = &[
    ("CABA", "Ciudad Autónoma de Buenos Aires", "AR", "11", "1043"),
    ("Rosario", "Santa Fe", "AR", "341", "2000"),
    ("Córdoba", "Córdoba", "AR", "351", "5000"),
    ("Mendoza", "Mendoza", "AR", "261", "5500"),
    ("La Plata", "Buenos Aires", "AR", "221", "1900"),
    ("Mar del Plata", "Buenos Aires", "AR", "223", "7600"),
    ("Bahía Blanca", "Buenos Aires", "AR", "291", "8000"),
    ("Pergamino", "Buenos Aires", "AR", "2477", "2700"),
    ("Neuquén", "Neuquén", "AR", "299", "8300"),
    ("Salta", "Salta", "AR", "387", "4400"),
    ("Santa Rosa", "La Pampa", "AR", "2954", "6300"),
    ("CDMX", "Ciudad de México", "MX", "55", "06600"),
    ("Guadalajara", "Jalisco", "MX", "33", "44100"),
    ("Monterrey", "Nuevo León", "MX", "81", "64000"),
    ("Puebla", "Puebla", "MX", "222", "72000"),
    ("León", "Guanajuato", "MX", "477", "37000"),
    ("Cancún", "Quintana Roo", "MX", "998", "77500"),
    ("Tuxtla Gutiérrez", "Chiapas", "MX", "961", "29000"),
    ("Madrid", "Madrid", "ES", "91", "28013"),
    ("Barcelona", "Barcelona", "ES", "93", "08012"),
    ("Valencia", "Valencia", "ES", "96", "46002"),
    ("Sevilla", "Sevilla", "ES", "954", "41001"),
    ("Jaén", "Jaén", "ES", "953", "23001"),
    ("Valladolid", "Valladolid", "ES", "983", "47001"),
    ("Vigo", "Pontevedra", "ES", "986", "36201"),
    ("Girona", "Girona", "ES", "972", "17001"),
    ("Palma", "Islas Baleares", "ES", "971", "07001"),
    ("Santander", "Cantabria", "ES", "942", "39001"),
    ("Calamocha", "Teruel", "ES", "978", "44200"),
    ("Bilbao", "Vizcaya", "ES", "94", "48001"),
];

/// (name, legal form, kind, industry, category, city, web domain, tags, description).
/// An empty legal form is a sole proprietor.
type AccountRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

#[rustfmt::skip]
const ACCOUNTS: &[AccountRow] = &[
    // Argentina
    ("Agropecuaria Los Álamos", "S.A.", "customer", "Agro", "Productor", "Pergamino", "losalamos.com.ar", &["VIP", "Exportador"],
     "Productor de soja, maíz y trigo con 4.000 ha en el norte bonaerense. Compra insumos por campaña."),
    ("Distribuidora del Sur", "S.R.L.", "customer", "Mayorista", "Mayorista", "Bahía Blanca", "distrisur.com.ar", &["Zona Sur"],
     "Distribuye almacén y limpieza a 300 comercios del sur bonaerense. Pedidos semanales."),
    ("Ferretería Núñez e Hijos", "S.R.L.", "customer", "Comercio minorista", "Minorista", "CABA", "ferreterianunez.com.ar", &["Zona Norte"],
     "Ferretería familiar con tres sucursales en zona norte. Paga a 30 días."),
    ("Vinos Cuyanos", "S.A.", "customer", "Agro", "Bodega", "Mendoza", "vinoscuyanos.com.ar", &["VIP", "Exportador"],
     "Bodega mediana de Luján de Cuyo; exporta malbec a Brasil y Estados Unidos."),
    ("Metalúrgica Sáenz", "S.A.", "customer", "Industria", "Fábrica", "Rosario", "metalurgicasaenz.com.ar", &["Zona Norte"],
     "Fabrica piezas para maquinaria agrícola. Las compras se deciden en planta."),
    ("Textil Andina", "S.A.", "prospect", "Industria", "Fábrica", "Córdoba", "textilandina.com.ar", &[],
     "Fábrica de ropa de trabajo. Evalúan cambiar de sistema antes de fin de año."),
    ("Logística Patagónica", "S.A.", "partner", "Logística", "Operador logístico", "Neuquén", "logpatagonica.com.ar", &[],
     "Operador logístico con depósitos en Neuquén y Bahía Blanca. Nos deriva clientes del sur."),
    ("Lácteos La Pampa", "S.A.", "customer", "Industria", "Fábrica", "Santa Rosa", "lacteoslapampa.com.ar", &["Moroso"],
     "Usina láctea regional. Atrasos de pago desde el último trimestre."),
    ("Instituto Horizonte", "S.R.L.", "customer", "Educación", "Cursos", "La Plata", "institutohorizonte.edu.ar", &[],
     "Cursos de oficios y capacitación docente; 1.200 alumnos por año."),
    ("Inmobiliaria Río de la Plata", "S.A.", "prospect", "Inmobiliaria", "Servicios", "CABA", "inmoriodelaplata.com.ar", &["Zona Norte"],
     "Inmobiliaria con 12 agentes; quieren seguir las consultas que llegan por los portales."),
    ("Eventos del Litoral", "S.R.L.", "customer", "Eventos", "Servicios", "Rosario", "eventoslitoral.com.ar", &[],
     "Organiza congresos y fiestas de empresa en el Litoral."),
    ("Pampa Market", "S.A.S.", "customer", "Comercio electrónico", "Tienda online", "Mar del Plata", "pampamarket.com.ar", &["Mercado Libre"],
     "Tienda online de bazar y camping; vende también por Mercado Libre."),
    ("Semillas del Norte", "S.A.", "supplier", "Agro", "Proveedor", "Salta", "semillasdelnorte.com.ar", &[],
     "Proveedor de semillas y agroquímicos para el NOA."),
    ("Talento Federal", "S.R.L.", "customer", "Selección de personal", "Servicios", "Córdoba", "talentofederal.com.ar", &[],
     "Consultora de selección de personal para pymes industriales."),
    ("Software Gaucho", "S.A.", "competitor", "Software", "Competidor", "CABA", "softwaregaucho.com.ar", &[],
     "Competidor directo: CRM con facturación electrónica incluida."),
    ("Mayorista El Tano", "S.A.", "prospect", "Mayorista", "Mayorista", "La Plata", "mayoristaeltano.com.ar", &[],
     "Autoservicio mayorista de bebidas y almacén; abastece a 800 kioscos."),
    ("Dietética Doña Rosa", "", "customer", "Comercio minorista", "Minorista", "Córdoba", "dieteticadonarosa.com.ar", &[],
     "Dietética de barrio atendida por su dueña; compra poco pero todos los meses."),
    // México
    ("Abarrotes Don Chema", "S.A. de C.V.", "customer", "Comercio minorista", "Minorista", "Guadalajara", "donchema.com.mx", &[],
     "Cadena de cinco tiendas de abarrotes en la zona metropolitana."),
    ("Distribuidora Azteca", "S.A. de C.V.", "customer", "Mayorista", "Mayorista", "CDMX", "distazteca.com.mx", &["VIP"],
     "Mayorista de abarrotes y dulces con reparto propio en el Valle de México."),
    ("Aceros Regiomontanos", "S.A. de C.V.", "customer", "Industria", "Fábrica", "Monterrey", "acerosregio.com.mx", &["Exportador"],
     "Fabrica perfiles de acero; exporta a Texas."),
    ("Café de Altura Chiapas", "S.C. de R.L.", "supplier", "Agro", "Proveedor", "Tuxtla Gutiérrez", "cafealturachiapas.mx", &["Exportador"],
     "Cooperativa de productores de café orgánico."),
    ("Academia Puebla Digital", "S.C.", "prospect", "Educación", "Cursos", "Puebla", "puebladigital.edu.mx", &[],
     "Cursos en línea de marketing digital; tres asesores comerciales."),
    ("Eventos Riviera", "S.A. de C.V.", "customer", "Eventos", "Servicios", "Cancún", "eventosriviera.mx", &[],
     "Bodas y viajes de incentivo en la Riviera Maya."),
    ("Transportes del Bajío", "S.A. de C.V.", "partner", "Logística", "Transporte", "León", "transbajio.com.mx", &[],
     "Transporte de carga en el Bajío; hace las entregas de varios de nuestros clientes."),
    ("Bienes Raíces Polanco", "S.A. de C.V.", "prospect", "Inmobiliaria", "Servicios", "CDMX", "bienesraicespolanco.mx", &[],
     "Venta y renta de departamentos; la mayoría de los prospectos llega por WhatsApp."),
    ("Talento Norte Reclutamiento", "S.C.", "customer", "Selección de personal", "Servicios", "Monterrey", "talentonorte.com.mx", &[],
     "Reclutamiento masivo para plantas industriales."),
    ("Artesanías Tlaquepaque", "S. de R.L.", "customer", "Comercio electrónico", "Tienda online", "Guadalajara", "artesaniastlaquepaque.mx", &["Exportador"],
     "Tienda en línea de artesanía; envía a Estados Unidos."),
    ("Plásticos Poblanos", "S.A. de C.V.", "prospect", "Industria", "Fábrica", "Puebla", "plasticospoblanos.com.mx", &[],
     "Fábrica de envases plásticos; están comparando tres proveedores."),
    // España
    ("Bodegas Ribera del Duero", "S.L.", "customer", "Agro", "Bodega", "Valladolid", "bodegasribera.es", &["VIP", "Exportador"],
     "Bodega familiar; exporta a México y Alemania."),
    ("Aceites La Campiña", "S.A.", "customer", "Agro", "Productor", "Jaén", "aceiteslacampina.es", &["Exportador"],
     "Almazara de aceite de oliva virgen extra."),
    ("Muebles Valencia", "S.L.", "customer", "Industria", "Fábrica", "Valencia", "mueblesvalencia.es", &[],
     "Fábrica de muebles de cocina; vende a 60 tiendas."),
    ("Academia Madrid Formación", "S.L.", "customer", "Educación", "Cursos", "Madrid", "madridformacion.es", &[],
     "Cursos de oposiciones y formación para empresas."),
    ("Inmobiliaria Costa Brava", "S.L.", "prospect", "Inmobiliaria", "Servicios", "Girona", "inmocostabrava.es", &[],
     "Alquiler vacacional y venta a clientes extranjeros."),
    ("Distribuciones Galicia", "S.A.", "customer", "Mayorista", "Mayorista", "Vigo", "distgalicia.es", &["Moroso"],
     "Distribuidor de alimentación para hostelería. Dos facturas vencidas."),
    ("Moda Sevilla Online", "S.L.", "customer", "Comercio electrónico", "Tienda online", "Sevilla", "modasevilla.es", &[],
     "Tienda online de moda flamenca; las ventas se disparan antes de la Feria."),
    ("Talleres Bilbaínos", "S.A.", "customer", "Industria", "Taller", "Bilbao", "talleresbilbainos.es", &[],
     "Mecanizado de precisión para el sector naval."),
    ("CRM Ibérico", "S.L.", "competitor", "Software", "Competidor", "Barcelona", "crmiberico.es", &[],
     "Competidor: CRM español con fuerte presencia en hostelería."),
    ("Papelería Gràcia", "S.L.", "customer", "Comercio minorista", "Minorista", "Barcelona", "papeleriagracia.es", &[],
     "Papelería y material de oficina con venta a empresas del barrio."),
    ("Eventos Mediterráneo", "S.L.", "prospect", "Eventos", "Servicios", "Palma", "eventosmed.es", &[],
     "Organiza bodas y eventos corporativos en Mallorca."),
    ("Cooperativa Agrícola Jiloca", "S. Coop.", "supplier", "Agro", "Cooperativa", "Calamocha", "coopjiloca.es", &[],
     "Cooperativa de cereal y jamón de Teruel."),
    ("Selección Norte RRHH", "S.L.", "customer", "Selección de personal", "Servicios", "Santander", "seleccionnorte.es", &[],
     "Selección de personal y trabajo temporal en Cantabria."),
];

#[rustfmt::skip]
const STREETS_AR: &[&str] = &["Av. Corrientes", "Av. Santa Fe", "San Martín", "Belgrano", "Av. Pellegrini", "Rivadavia", "Mitre", "Sarmiento"];
#[rustfmt::skip]
const STREETS_MX: &[&str] = &["Av. Insurgentes Sur", "Av. Juárez", "Calle Hidalgo", "Av. Vallarta", "Av. Constitución", "Calle Morelos"];
#[rustfmt::skip]
const STREETS_ES: &[&str] = &["Calle Mayor", "Gran Vía", "Calle de Alcalá", "Avenida Diagonal", "Calle Colón", "Paseo de la Castellana"];

// People. The lists have coprime lengths (18 and 25) so that no full name repeats.
#[rustfmt::skip]
const WOMEN: &[&str] = &[
    "María José", "Ángela", "Carmen", "Inés", "Paula", "Rocío", "Belén", "Noelia", "Julieta",
    "Verónica", "Guadalupe", "Ximena", "Pilar", "Marisol", "Florencia", "Milagros", "Begoña", "Renata",
];
#[rustfmt::skip]
const MEN: &[&str] = &[
    "José", "Iván", "Raúl", "Tomás", "Andrés", "Héctor", "Emilio", "Gonzalo", "Federico",
    "Ramón", "Óscar", "Joaquín", "Ignacio", "Sebastián", "Rodrigo", "Jesús", "Alejandro", "Íñigo",
];
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "Núñez", "Peña", "Muñoz", "Ibáñez", "García", "Pérez", "Díaz", "Álvarez", "Sáenz", "Quiroga",
    "Benítez", "Domínguez", "Ortiz", "Castro", "Vázquez", "Romero", "Suárez", "Medina", "Rojas",
    "Acuña", "Luján", "Zúñiga", "Echeverría", "Cortés", "Montaña",
];

/// (title for a man, title for a woman, department)
type Role = (&'static str, &'static str, &'static str);

/// Who leads a customer's or prospect's team.
const BOSSES: &[Role] = &[
    ("Dueño", "Dueña", "Dirección"),
    ("Gerente General", "Gerente General", "Dirección"),
    ("Director General", "Directora General", "Dirección"),
];
const BUYER: Role = ("Gerente de Compras", "Gerente de Compras", "Compras");
const ANALYST: Role = ("Analista de Compras", "Analista de Compras", "Compras");
const STAFF: &[Role] = &[
    ("Jefe de Logística", "Jefa de Logística", "Logística"),
    ("Contador", "Contadora", "Administración"),
    (
        "Jefe de Administración",
        "Jefa de Administración",
        "Administración",
    ),
    (
        "Responsable de Calidad",
        "Responsable de Calidad",
        "Calidad",
    ),
    (
        "Encargado de Depósito",
        "Encargada de Depósito",
        "Logística",
    ),
];
/// The people we deal with at suppliers and partners.
const VENDOR_TEAM: &[Role] = &[
    ("Ejecutivo de Cuentas", "Ejecutiva de Cuentas", "Ventas"),
    (
        "Responsable de Facturación",
        "Responsable de Facturación",
        "Administración",
    ),
];
const RIVAL: Role = ("Gerente Comercial", "Gerente Comercial", "Ventas");

/// How to deal with a person (contact descriptions).
#[rustfmt::skip]
const HABITS: &[&str] = &[
    "Prefiere WhatsApp antes de las 10.",
    "Decide rápido si hay descuento por volumen.",
    "Pide todo por escrito; confirmar siempre por mail.",
    "Le importan mucho los plazos de entrega.",
    "No atiende llamadas los lunes por la mañana.",
    "Firma las órdenes de compra; conviene ponerle en copia.",
    "Compara precios con dos proveedores antes de decidir.",
    "Prefiere reuniones por videollamada.",
    "Paga siempre en fecha si la factura llega antes del 20.",
    "Le gusta que le presenten las novedades en persona.",
];

/// (first name, last name, company, job title, email, phone, city, country, source,
/// campaign, ad keyword, status)
type LeadRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const LEADS: &[LeadRow] = &[
    ("Carla", "Ruiz", "Viñedos del Sol", "Dueña", "carla@vinedosdelsol.com.ar", "+54 9 261 555-0101", "Mendoza", "AR", "google_ads", "Búsqueda CRM Pymes", "software crm pymes", "qualified"),
    ("Pablo", "Acosta", "Panificadora Acosta", "Gerente", "pablo@panacosta.com.ar", "+54 9 341 555-2020", "Rosario", "AR", "web_form", "", "", "contacted"),
    ("Valeria", "Sosa", "Estudio Sosa & Asociados", "Socia", "vsosa@estudiososa.com.ar", "+54 9 11 5555-3030", "CABA", "AR", "referral", "", "", "qualified"),
    ("Jorge", "Miranda", "Transportes Miranda", "Dueño", "jorge@tmiranda.com.ar", "+54 9 351 555-4040", "Córdoba", "AR", "whatsapp", "", "", "new"),
    ("Natalia", "Ferreyra", "", "", "nati.ferreyra@gmail.com", "+54 9 11 5555-5050", "CABA", "AR", "instagram", "Otoño 2026", "", "new"),
    ("Ricardo", "Ponce", "Ponce Agro", "Productor", "rponce@ponceagro.com.ar", "+54 9 2477 55-6060", "Pergamino", "AR", "fair", "Expoagro 2026", "", "contacted"),
    ("Gabriela", "Torres", "Tienda Gaby", "Dueña", "gaby@tiendagaby.com.ar", "+54 9 223 555-7070", "Mar del Plata", "AR", "mercado_libre", "", "", "unqualified"),
    ("Agustina", "Ledesma", "Ledesma Seguros", "Productora de seguros", "agus@ledesmaseguros.com.ar", "+54 9 11 5555-1717", "CABA", "AR", "google_ads", "Búsqueda CRM WhatsApp", "crm whatsapp", "new"),
    ("Hernán", "Bustos", "Bustos Hnos.", "Socio gerente", "hbustos@bustoshnos.com.ar", "+54 9 264 555-1818", "San Juan", "AR", "referral", "", "", "contacted"),
    ("Florencia", "Giménez", "Cursos Flor Giménez", "Docente", "hola@cursosflorgimenez.com.ar", "+54 9 221 555-1919", "La Plata", "AR", "instagram", "Otoño 2026", "", "qualified"),
    ("Matías", "Coronel", "Coronel Materiales", "Encargado", "matias@coronelmateriales.com.ar", "+54 9 341 555-2121", "Rosario", "AR", "cold_call", "", "", "unqualified"),
    ("Camila", "Olmos", "Eventos Cami", "Organizadora", "camila@eventoscami.com.ar", "+54 9 351 555-2323", "Córdoba", "AR", "mercado_libre", "", "", "new"),
    ("Luis", "Cárdenas", "Papelería Cárdenas", "Dueño", "luis@papeleriacardenas.mx", "+52 33 5555 8080", "Guadalajara", "MX", "google_ads", "Búsqueda CRM Pymes", "software crm pymes", "new"),
    ("Adriana", "Vega", "Clínica Vega", "Administradora", "adriana@clinicavega.mx", "+52 55 5555 9090", "CDMX", "MX", "web_form", "Webinar Ventas 2026", "", "qualified"),
    ("Fernando", "Lozano", "Lozano Constructora", "Director Comercial", "flozano@lozanoconstructora.mx", "+52 81 5555 1010", "Monterrey", "MX", "cold_call", "", "", "contacted"),
    ("Elena", "Castillo", "", "", "elena.castillo@outlook.com", "+52 222 555 1111", "Puebla", "MX", "instagram", "Otoño 2026", "", "new"),
    ("Arturo", "Salinas", "Salinas Logística", "Gerente de Operaciones", "asalinas@salinaslogistica.mx", "+52 477 555 2424", "León", "MX", "fair", "Expo Logística 2026", "", "contacted"),
    ("Guadalupe", "Ríos", "Dulcería La Güera", "Dueña", "lupita@dulcerialaguera.mx", "+52 33 5555 2525", "Guadalajara", "MX", "whatsapp", "", "", "qualified"),
    ("Rodrigo", "Treviño", "Treviño Inmobiliaria", "Director", "rodrigo@trevinoinmobiliaria.mx", "+52 81 5555 2626", "Monterrey", "MX", "google_ads", "Búsqueda CRM Inmobiliarias", "crm para inmobiliarias", "contacted"),
    ("Ximena", "Paredes", "Academia de Inglés Paredes", "Coordinadora", "ximena@inglesparedes.edu.mx", "+52 55 5555 2727", "CDMX", "MX", "web_form", "", "", "unqualified"),
    ("Jesús", "Villarreal", "", "", "chuy.villarreal@gmail.com", "+52 81 5555 2828", "Monterrey", "MX", "mercado_libre", "", "", "new"),
    ("Miguel", "Ortega", "Ortega Importaciones", "Gerente", "miguel@ortegaimport.es", "+34 91 555 12 12", "Madrid", "ES", "google_ads", "Búsqueda CRM WhatsApp", "crm whatsapp", "new"),
    ("Laura", "Serrano", "Serrano Eventos", "Directora", "laura@serranoeventos.es", "+34 93 555 13 13", "Barcelona", "ES", "referral", "", "", "qualified"),
    ("Javier", "Molina", "Academia Molina", "Director", "javier@academiamolina.es", "+34 96 555 14 14", "Valencia", "ES", "web_form", "Webinar Ventas 2026", "", "contacted"),
    ("Marta", "Navarro", "Navarro Moda", "Dueña", "marta@navarromoda.es", "+34 954 55 15 15", "Sevilla", "ES", "fair", "Feria Retail Madrid", "", "new"),
    ("Sergio", "Blanco", "", "", "sergio.blanco@gmail.com", "+34 600 555 161", "Madrid", "ES", "whatsapp", "", "", "unqualified"),
    ("Nuria", "Puig", "Puig Reformas", "Gerente", "nuria@puigreformas.es", "+34 93 555 17 17", "Barcelona", "ES", "google_ads", "Búsqueda CRM Pymes", "software crm pymes", "qualified"),
    ("Álvaro", "Cano", "Cano Recursos Humanos", "Consultor", "alvaro@canorrhh.es", "+34 91 555 18 18", "Madrid", "ES", "cold_call", "", "", "new"),
    ("Irene", "Delgado", "Delgado Frutas", "Jefa de Compras", "irene@delgadofrutas.es", "+34 96 555 19 19", "Valencia", "ES", "instagram", "Otoño 2026", "", "contacted"),
    ("Pau", "Ferrer", "Tienda Ferrer Online", "Fundador", "pau@tiendaferrer.es", "+34 972 55 20 20", "Girona", "ES", "web_form", "", "", "new"),
];

/// Leads that the demo converts into an account and a contact, one a country:
/// (lead email, legal form, industry, category) of the new account.
#[rustfmt::skip]
const CONVERTED: &[(&str, &str, &str, &str)] = &[
    ("carla@vinedosdelsol.com.ar", "S.A.", "Agro", "Bodega"),
    ("lupita@dulcerialaguera.mx", "S.A. de C.V.", "Comercio minorista", "Minorista"),
    ("laura@serranoeventos.es", "S.L.", "Eventos", "Servicios"),
];

/// What a lead said when they came in, by source.
#[rustfmt::skip]
const LEAD_MESSAGES: &[(&str, &str)] = &[
    ("web_form", "Completó el formulario de precios: tiene 4 vendedores y usa planillas."),
    ("web_form", "Pide una demo; hoy anotan los pedidos en un cuaderno."),
    ("whatsapp", "Escribió por WhatsApp: quiere ver los pedidos de sus clientes en el celular."),
    ("referral", "Nos recomendó un cliente; busca ordenar la cartera antes de sumar vendedores."),
    ("fair", "Pasó por el stand, dejó su tarjeta y pidió una llamada."),
    ("cold_call", "Llamada en frío: atendió la secretaria, volver a llamar el jueves."),
    ("mercado_libre", "Vende por Mercado Libre y quiere seguir a los compradores que repiten."),
    ("instagram", "Respondió a la publicidad de Instagram preguntando el precio."),
    ("google_ads", "Llegó por el anuncio; pregunta si se integra con WhatsApp y con la facturación."),
];

/// Notes on accounts, by account kind.
#[rustfmt::skip]
const ACCOUNT_NOTES: &[(&str, &[&str])] = &[
    ("customer", &[
        "Llamó por la demora del envío; prometimos respuesta el lunes.",
        "Visita a planta: interesados en la línea premium, pedir cotización.",
        "Reclamo por factura duplicada, derivado a administración.",
        "Confirmó el pedido mensual; quiere entregas los martes.",
        "Reunión con compras: evalúan cambiar de proveedor si mejoramos el plazo de pago.",
        "Enviamos catálogo actualizado y lista de precios 2026.",
        "Pagó la factura vencida con cheque a 30 días.",
        "Piden capacitación para dos personas nuevas del equipo.",
        "Renovaron el contrato anual con un 8 % de aumento.",
        "Se quejaron del servicio técnico: tardamos tres días en responder.",
        "Saldo pendiente de dos facturas; acordamos un plan de pagos en tres cuotas.",
        "Preguntaron por descuento por pago anticipado; consultar con gerencia.",
    ]),
    ("prospect", &[
        "Primera llamada: trabajan con planillas de Excel y quieren ordenar la cartera.",
        "Enviamos propuesta; la decisión la toma el dueño a fin de mes.",
        "Pidieron una demo para el equipo comercial el jueves a las 10.",
        "Piden referencias de clientes del mismo rubro.",
    ]),
    ("supplier", &[
        "Negociamos nuevas condiciones: 60 días de plazo y flete incluido.",
        "Aviso de aumento del 5 % a partir del mes que viene.",
    ]),
    ("competitor", &[
        "Perdimos una cotización contra ellos por precio; ofrecen tres meses gratis.",
        "Lanzaron integración con WhatsApp; revisar qué dicen nuestros clientes.",
    ]),
    ("partner", &[
        "Acordamos derivarnos clientes en la zona; revisar comisiones en marzo.",
        "Reunión trimestral: nos pasaron dos clientes nuevos.",
    ]),
];

#[rustfmt::skip]
const CONTACT_NOTES: &[&str] = &[
    "Prefiere que la llamada sea después de las 16.",
    "Pidió que le reenviemos la factura a su correo personal.",
    "De vacaciones hasta el 15; volver a llamar.",
    "Muy conforme con la última entrega; acepta dar un testimonio.",
    "Le molestó el aumento de precios; ofrecer una bonificación.",
    "Nos invitó al aniversario de la empresa.",
    "Conversamos por WhatsApp: confirma la reunión del martes.",
    "Asumió el puesto hace un mes; presentarle al equipo de soporte.",
];

#[rustfmt::skip]
const LEAD_NOTES: &[&str] = &[
    "Pidió una demo para la semana próxima.",
    "Completó el formulario; llamar a la tarde.",
    "Le interesa la integración con WhatsApp.",
    "No contesta; segundo intento por mail.",
    "Tiene cinco vendedores y usan una planilla compartida.",
    "Pregunta si se puede pagar en cuotas.",
    "Presupuesto aprobado para el próximo trimestre.",
    "No es el momento: retomar después de la temporada alta.",
];

/// The custom fields the demo defines, before any record carries their values.
fn custom_field_definitions() -> Vec<Value> {
    vec![
        json!({
            "record_kind": "account", "key": "condicion_iva", "label": "Condición IVA",
            "field_type": "select", "position": 1,
            "options": ["Responsable Inscripto", "Monotributista", "Exento", "Consumidor Final"],
            "description": "Condición frente al IVA (AFIP), para facturar en Argentina.",
        }),
        json!({
            "record_kind": "account", "key": "cliente_desde", "label": "Cliente desde",
            "field_type": "date", "position": 2,
        }),
        json!({
            "record_kind": "account", "key": "limite_credito", "label": "Límite de crédito",
            "field_type": "money", "position": 3,
        }),
        json!({
            "record_kind": "contact", "key": "newsletter", "label": "Recibe el newsletter",
            "field_type": "boolean", "position": 1,
        }),
    ]
}

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

/// Loads the demo company unless the database already holds accounts.
pub async fn seed_if_empty(app: &App) -> Result<Option<DemoReport>> {
    if has_accounts(app).await? {
        return Ok(None);
    }
    let (admin, _) = crate::users::ensure(app, ADMIN.0, ADMIN.1).await?;
    let mut reps = Vec::with_capacity(REPS.len());
    for (email, name, _) in REPS {
        reps.push(crate::users::ensure(app, email, name).await?.0.id);
    }
    let actor = Actor::administrator(admin.id);
    // The first rep leads the team; the others sell.
    for (i, rep) in reps.iter().enumerate() {
        let key = if i == 0 { "manager" } else { "sales_rep" };
        let role = cartera_store::roles::by_key(&mut app.db.reader().await?, key)
            .await?
            .ok_or(AppError::NotFound)?;
        crate::roles::assign(app, &actor, *rep, role.id).await?;
    }

    let custom_fields = define_custom_fields(app, &actor).await?;
    let territories = define_territories(app, &actor, &reps).await?;
    let accounts = create_all::<AccountData>(app, &actor, account_inputs(&reps)).await?;
    let links: Vec<(Id, Option<Id>)> = accounts.iter().map(|a| (a.id, a.data.owner_id)).collect();
    let contacts = create_people(app, &actor, people(&links)).await?;
    let mut leads = create_all::<LeadData>(app, &actor, lead_inputs(&reps)).await?;

    // A few leads already became customers, converted by the rep who owns them.
    let (mut converted, mut new_accounts, mut new_contacts) = (0, 0, 0);
    for lead in &mut leads {
        let Some(input) = conversion(app, &lead.data) else {
            continue;
        };
        let by = rep_actor(lead.data.owner_id.unwrap_or(admin.id));
        let done = crate::leads::convert(app, &by, lead.id, input).await?;
        converted += 1;
        new_accounts += usize::from(done.account.is_some());
        new_contacts += usize::from(done.contact.is_some());
        *lead = done.lead;
    }

    let notes = write_notes(app, admin.id, &accounts, &contacts, &leads).await?;
    let rep_countries: Vec<(Id, &[&str])> = reps
        .iter()
        .zip(REPS)
        .map(|(id, (_, _, countries))| (*id, *countries))
        .collect();
    crate::demo_agenda::company(app, &actor).await?;
    let sales = crate::demo_sales::seed(app, &actor, &rep_countries, &accounts, &contacts).await?;
    let activities = crate::demo_agenda::seed(app, &actor, &reps, &accounts, &contacts).await?;
    let billing = crate::demo_billing::seed(app, &actor, &accounts).await?;

    Ok(Some(DemoReport {
        admin_id: admin.id,
        admin_email: admin.email,
        users: 2 + reps.len(),
        custom_fields,
        accounts: accounts.len() + new_accounts,
        contacts: contacts.len() + new_contacts,
        leads: leads.len(),
        converted_leads: converted,
        notes,
        territories,
        sales,
        activities,
        billing,
        logins: std::iter::once(ADMIN.0)
            .chain(REPS.iter().map(|r| r.0))
            .chain(std::iter::once(crate::demo_billing::CLERK.0))
            .map(str::to_owned)
            .collect(),
    }))
}

/// One territory per country, covered by the reps who sell there; the first of them
/// takes the new customers nobody assigned.
async fn define_territories(app: &App, actor: &Actor, reps: &[Id]) -> Result<usize> {
    let countries = [("AR", "Argentina"), ("MX", "México"), ("ES", "España")];
    for (code, name) in countries {
        let members: Vec<Id> = REPS
            .iter()
            .zip(reps)
            .filter(|((_, _, covered), _)| covered.contains(&code))
            .map(|(_, id)| *id)
            .collect();
        let input = crate::territories::NewTerritory {
            name: name.into(),
            priority: None,
            rules: cartera_core::territories::Rules {
                countries: vec![code.into()],
                ..Default::default()
            },
            owner_id: members.first().copied(),
            member_ids: members,
            active: None,
        };
        crate::territories::create(app, actor, input).await?;
    }
    Ok(countries.len())
}

/// Whether any live account exists; reads one row at most.
async fn has_accounts(app: &App) -> Result<bool> {
    // Listing needs only the read scope; nobody in particular is reading.
    let reader = Actor {
        scope: Scope::Read,
        ..Actor::administrator(Id::from_u128(0))
    };
    let probe = [("limit".to_owned(), "1".to_owned())];
    Ok(!list::<AccountData>(app, &reader, &probe)
        .await?
        .rows
        .is_empty())
}

/// A sales rep acting on their own records.
fn rep_actor(user_id: Id) -> Actor {
    Actor {
        scope: Scope::Write,
        ..Actor::administrator(user_id)
    }
}

/// Defines the demo's custom fields, leaving alone any key that already exists.
async fn define_custom_fields(app: &App, actor: &Actor) -> Result<usize> {
    let existing = crate::custom_fields::list(app, actor, None).await?;
    let mut made = 0;
    for def in custom_field_definitions() {
        let taken = existing.iter().any(|f| {
            Some(f.data.key.as_str()) == def["key"].as_str()
                && Some(f.data.record_kind.as_str()) == def["record_kind"].as_str()
        });
        if !taken {
            crate::custom_fields::create(app, actor, def).await?;
            made += 1;
        }
    }
    Ok(made)
}

/// Creates records in bulk calls of at most `BATCH`, keeping their order.
async fn create_all<D: Kind>(
    app: &App,
    actor: &Actor,
    inputs: Vec<Value>,
) -> Result<Vec<Record<D>>> {
    let opts = WriteOptions {
        allow_duplicate: true,
    };
    let mut out = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(BATCH) {
        out.extend(create::<D>(app, actor, chunk.to_vec(), opts).await?);
    }
    Ok(out)
}

/// Creates the people in waves, each after the person they report to, so that every
/// `reports_to_id` points at a contact that exists. Returns them in plan order.
async fn create_people(
    app: &App,
    actor: &Actor,
    plan: Vec<Person>,
) -> Result<Vec<Record<ContactData>>> {
    let mut made: Vec<Option<Record<ContactData>>> = plan.iter().map(|_| None).collect();
    loop {
        let ready: Vec<usize> = (0..plan.len())
            .filter(|&i| made[i].is_none() && plan[i].boss.is_none_or(|b| made[b].is_some()))
            .collect();
        if ready.is_empty() {
            break;
        }
        let inputs = ready
            .iter()
            .map(|&i| {
                let mut input = plan[i].input.clone();
                if let Some(boss) = plan[i].boss.and_then(|b| made[b].as_ref()) {
                    input["reports_to_id"] = json!(boss.id);
                }
                input
            })
            .collect();
        let records = create_all::<ContactData>(app, actor, inputs).await?;
        for (i, r) in ready.into_iter().zip(records) {
            made[i] = Some(r);
        }
    }
    Ok(made.into_iter().flatten().collect())
}

/// Notes by the records' owners: most accounts, every sixth person, every third lead.
async fn write_notes(
    app: &App,
    admin: Id,
    accounts: &[Record<AccountData>],
    contacts: &[Record<ContactData>],
    leads: &[Record<LeadData>],
) -> Result<usize> {
    let mut notes: Vec<(Option<Id>, RecordKind, Id, &str)> = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        let kind = a.data.kind.as_str();
        let count = usize::from(i % 4 != 3) + usize::from(a.data.tags.iter().any(|t| t == "VIP"));
        for k in 0..count {
            notes.push((
                a.data.owner_id,
                RecordKind::Account,
                a.id,
                account_note(kind, i + k * 5),
            ));
        }
    }
    for (i, c) in contacts.iter().enumerate().step_by(6) {
        let body = CONTACT_NOTES[(i / 6) % CONTACT_NOTES.len()];
        notes.push((c.data.owner_id, RecordKind::Contact, c.id, body));
    }
    for (i, l) in leads.iter().enumerate().step_by(3) {
        let body = LEAD_NOTES[(i / 3) % LEAD_NOTES.len()];
        notes.push((l.data.owner_id, RecordKind::Lead, l.id, body));
    }
    for (owner, kind, id, body) in &notes {
        let by = rep_actor(owner.unwrap_or(admin));
        crate::notes::create(app, &by, *kind, *id, json!({ "body": body })).await?;
    }
    Ok(notes.len())
}

// ---------------------------------------------------------------------------------------
// Building the records
// ---------------------------------------------------------------------------------------

fn account_inputs(reps: &[Id]) -> Vec<Value> {
    ACCOUNTS
        .iter()
        .enumerate()
        .map(|(i, row)| account_input(i, row, reps))
        .collect()
}

fn account_input(i: usize, row: &AccountRow, reps: &[Id]) -> Value {
    let &(name, form, kind, industry, category, city_name, domain, tags, about) = row;
    let city = city_of(city_name);
    let (_, province, country, _, postal_code) = *city;
    let class = classification(kind, tags, i);

    let mut emails = vec![
        json!({"address": format!("ventas@{domain}"), "label": "ventas"}),
        json!({"address": format!("administracion@{domain}"), "label": "administración"}),
    ];
    if i % 4 == 1 {
        emails.push(json!({"address": format!("facturacion@{domain}"), "label": "facturación"}));
    }
    let mut phones = vec![json!({"number": landline(city, i), "label": "central"})];
    if i.is_multiple_of(3) {
        phones.push(json!({"number": mobile(city, i + 500), "label": "WhatsApp"}));
    }

    let mut v = json!({
        "name": name,
        "kind": kind,
        "industry": industry,
        "category": category,
        "billing_address": {
            "street": street(country, i), "city": city_name, "province": province,
            "postal_code": postal_code, "country": country,
        },
        "emails": emails,
        "phones": phones,
        "website": format!("www.{domain}"),
        "description": about,
        "tags": tags,
        "custom": account_custom(i, kind, country, form, industry, class),
    });
    if !form.is_empty() {
        v["legal_name"] = json!(format!("{name} {form}"));
    }
    if let Some(t) = tax_id(i, name, form, country) {
        v["tax_id"] = json!(t);
    }
    if let Some(c) = class {
        v["classification"] = json!(c);
    }
    if let Some(o) = owner(reps, country, i) {
        v["owner_id"] = json!(o);
    }
    if category == "Fábrica" {
        let park = if country == "ES" {
            "Polígono Industrial"
        } else {
            "Parque Industrial"
        };
        v["shipping_address"] = json!({
            "street": format!("{park}, Nave {}", 1 + i * 7 % 40),
            "city": city_name, "province": province, "postal_code": postal_code, "country": country,
        });
    }
    v
}

/// ABC classification of customers and prospects: VIPs are A, late payers C.
fn classification(kind: &str, tags: &[&str], i: usize) -> Option<&'static str> {
    if kind != "customer" && kind != "prospect" {
        None
    } else if tags.contains(&"VIP") {
        Some("A")
    } else if tags.contains(&"Moroso") {
        Some("C")
    } else {
        Some(["B", "C", "A", "B"][i % 4])
    }
}

fn account_custom(
    i: usize,
    kind: &str,
    country: &str,
    form: &str,
    industry: &str,
    class: Option<&str>,
) -> Value {
    let mut custom = Map::new();
    if country == "AR" {
        let iva = if form.is_empty() {
            "Monotributista"
        } else if industry == "Educación" {
            "Exento"
        } else {
            "Responsable Inscripto"
        };
        custom.insert("condicion_iva".into(), json!(iva));
    }
    if kind == "customer" {
        let since = format!(
            "{}-{:02}-{:02}",
            2012 + i % 13,
            1 + i * 5 % 12,
            1 + i * 7 % 28
        );
        custom.insert("cliente_desde".into(), json!(since));
        let (amount, currency) = credit_limit(country, class);
        custom.insert(
            "limite_credito".into(),
            json!({"amount": amount, "currency": currency}),
        );
    }
    Value::Object(custom)
}

fn credit_limit(country: &str, class: Option<&str>) -> (&'static str, &'static str) {
    let (currency, amounts) = match country {
        "MX" => ("MXN", ["2000000.00", "750000.00", "250000.00"]),
        "ES" => ("EUR", ["100000.00", "40000.00", "10000.00"]),
        _ => ("ARS", ["25000000.00", "8000000.00", "2000000.00"]),
    };
    let step = match class {
        Some("A") => 0,
        Some("B") => 1,
        _ => 2,
    };
    (amounts[step], currency)
}

/// A contact to create, and who (by position in the plan) they report to.
struct Person {
    input: Value,
    boss: Option<usize>,
}

/// The people at each account (given as id and owner, in `ACCOUNTS` order). Teams of
/// four form a small org chart: two report to the boss, the analyst to the buyer.
fn people(accounts: &[(Id, Option<Id>)]) -> Vec<Person> {
    let mut plan = Vec::new();
    for (i, (row, &(account_id, owner))) in ACCOUNTS.iter().zip(accounts).enumerate() {
        let team = plan.len();
        let size = team_size(row.2, i);
        for k in 0..size {
            let boss = match (size, k) {
                (4, 1 | 2) => Some(team),
                (4, 3) => Some(team + 1),
                _ => None,
            };
            let input = person_input(i, row, k, plan.len(), account_id, owner);
            plan.push(Person { input, boss });
        }
    }
    plan
}

fn team_size(kind: &str, i: usize) -> usize {
    match kind {
        "competitor" => 1,
        "supplier" | "partner" => 2,
        _ => 3 + usize::from(i.is_multiple_of(3)),
    }
}

/// The `k`-th person's role at account `i`; shops are run by their owners.
fn role(kind: &str, category: &str, i: usize, k: usize) -> Role {
    match (kind, k) {
        ("competitor", _) => RIVAL,
        ("supplier" | "partner", _) => VENDOR_TEAM[k % VENDOR_TEAM.len()],
        (_, 0) if ["Minorista", "Tienda online"].contains(&category) => BOSSES[0],
        (_, 0) => BOSSES[i % BOSSES.len()],
        (_, 1) => BUYER,
        (_, 3) => ANALYST,
        _ => STAFF[i % STAFF.len()],
    }
}

/// Person `n` of the whole plan, the `k`-th at account `i`.
fn person_input(
    i: usize,
    row: &AccountRow,
    k: usize,
    n: usize,
    account_id: Id,
    owner: Option<Id>,
) -> Value {
    let &(account_name, form, kind, _, category, city_name, domain, _, _) = row;
    let city = city_of(city_name);
    let (_, province, country, _, _) = *city;
    // Sole proprietors in the table are women ("atendida por su dueña").
    let woman = n.is_multiple_of(2) || (k == 0 && form.is_empty());
    let first = if woman {
        WOMEN[(n / 2 * 7) % WOMEN.len()]
    } else {
        MEN[(n / 2 * 5) % MEN.len()]
    };
    // A family business is run by the family: "Ferretería Núñez" by a Núñez.
    let family = SURNAMES.iter().copied().find(|s| account_name.contains(s));
    let last = match family {
        Some(s) if k == 0 => s,
        _ => SURNAMES[(n * 7 + 3) % SURNAMES.len()],
    };
    let (title_m, title_f, department) = role(kind, category, i, k);

    let user = if i % 3 == 1 {
        format!(
            "{}{}",
            local(first).chars().next().unwrap_or('x'),
            local(last)
        )
    } else {
        format!("{}.{}", local(first), local(last))
    };
    let mut emails = vec![json!({"address": format!("{user}@{domain}"), "label": "trabajo"})];
    if n % 5 == 2 {
        let mail = ["gmail.com", "hotmail.com", "outlook.com"][n % 3];
        let address = format!("{}{}{}@{mail}", local(first), local(last), 60 + n % 40);
        emails.push(json!({"address": address, "label": "personal"}));
    }
    let mut phones = vec![json!({"number": mobile(city, 1_000 + n), "label": "móvil"})];
    if n % 4 == 3 {
        phones.push(json!({"number": landline(city, 2_000 + n), "label": "oficina"}));
    }
    let consent = n % 5 < 2;

    let mut v = json!({
        "first_name": first,
        "last_name": last,
        "emails": emails,
        "phones": phones,
        "account_id": account_id,
        "job_title": if woman { title_f } else { title_m },
        "department": department,
        "address": {"city": city_name, "province": province, "country": country},
        "marketing_consent": consent,
    });
    if let Some(o) = owner {
        v["owner_id"] = json!(o);
    }
    if k == 0 && kind != "competitor" {
        v["tags"] = json!(["Decisor"]);
    }
    if n.is_multiple_of(3) {
        let born = format!(
            "{}-{:02}-{:02}",
            1955 + n * 7 % 46,
            1 + n * 5 % 12,
            1 + n * 11 % 28
        );
        v["birthday"] = json!(born);
    }
    if n % 4 == 1 {
        v["description"] = json!(HABITS[(n / 4) % HABITS.len()]);
    }
    if n.is_multiple_of(2) {
        v["custom"] = json!({ "newsletter": consent });
    }
    v
}

fn lead_inputs(reps: &[Id]) -> Vec<Value> {
    LEADS
        .iter()
        .enumerate()
        .map(|(i, row)| lead_input(i, row, reps))
        .collect()
}

fn lead_input(i: usize, row: &LeadRow, reps: &[Id]) -> Value {
    let &(
        first,
        last,
        company,
        job,
        email,
        phone,
        city,
        country,
        source,
        campaign,
        keyword,
        status,
    ) = row;
    let mut v = Map::new();
    for (key, value) in [
        ("first_name", first),
        ("last_name", last),
        ("company_name", company),
        ("job_title", job),
        ("email", email),
        ("phone", phone),
        ("source", source),
        ("campaign", campaign),
        ("ad_keyword", keyword),
        ("status", status),
    ] {
        if !value.is_empty() {
            v.insert(key.to_owned(), json!(value));
        }
    }
    for (key, value) in utm(source, campaign, keyword, i) {
        v.insert(key.to_owned(), json!(value));
    }
    v.insert("address".into(), json!({"city": city, "country": country}));
    let domain = email.split_once('@').map_or("", |(_, d)| d);
    let free_mail = ["gmail.com", "hotmail.com", "outlook.com"].contains(&domain);
    if !company.is_empty() && !free_mail {
        v.insert("website".into(), json!(format!("www.{domain}")));
    }
    if let Some(m) = lead_message(source, i) {
        v.insert("description".into(), json!(m));
    }
    if source == "fair" {
        v.insert("tags".into(), json!(["Feria"]));
    }
    if let Some(o) = owner(reps, country, i) {
        v.insert("owner_id".into(), json!(o));
    }
    Value::Object(v)
}

/// The tracking parameters a lead from paid or email campaigns arrives with.
fn utm(source: &str, campaign: &str, keyword: &str, i: usize) -> Vec<(&'static str, String)> {
    let name = slug(campaign);
    match source {
        "google_ads" => vec![
            ("utm_source", "google".into()),
            ("utm_medium", "cpc".into()),
            ("utm_campaign", name),
            ("utm_term", keyword.to_owned()),
        ],
        "instagram" => vec![
            ("utm_source", "instagram".into()),
            ("utm_medium", "paid_social".into()),
            ("utm_campaign", name),
            ("utm_content", ["reel", "historia"][i % 2].into()),
        ],
        "web_form" if !campaign.is_empty() => vec![
            ("utm_source", "newsletter".into()),
            ("utm_medium", "email".into()),
            ("utm_campaign", name),
        ],
        _ => Vec::new(),
    }
}

/// How a lead listed in `CONVERTED` becomes a customer: the account gets what the sales
/// rep learnt while qualifying it, so that it looks as complete as the others.
fn conversion(app: &App, lead: &LeadData) -> Option<ConvertInput> {
    let email = lead.email.as_deref()?;
    let j = CONVERTED.iter().position(|c| c.0 == email)?;
    let (_, form, industry, category) = CONVERTED[j];
    let company = lead.company_name.as_deref().unwrap_or_default();
    let city = city_of(lead.address.city.as_deref().unwrap_or_default());
    let (_, province, country, _, postal_code) = *city;
    let mut custom = json!({ "cliente_desde": app.today().to_string() });
    if country == "AR" {
        custom["condicion_iva"] = json!("Responsable Inscripto");
    }
    let mut account = json!({
        "legal_name": format!("{company} {form}"),
        "industry": industry,
        "category": category,
        "classification": "B",
        "billing_address": {"province": province, "postal_code": postal_code},
        "emails": [{"address": email, "label": "contacto"}],
        "phones": [{"number": lead.phone, "label": "central"}],
        "description": format!(
            "Cliente nuevo: llegó como lead ({}) y cerró con la primera propuesta.",
            lead.source.as_deref().unwrap_or("web_form")
        ),
        "tags": ["Cliente nuevo"],
        "custom": custom,
    });
    if let Some(t) = tax_id(100 + j, company, form, country) {
        account["tax_id"] = json!(t);
    }
    Some(ConvertInput {
        account: Some(account),
        contact: Some(json!({"marketing_consent": true, "tags": ["Decisor"]})),
        allow_duplicate: true,
        ..ConvertInput::default()
    })
}

fn lead_message(source: &str, i: usize) -> Option<&'static str> {
    let said: Vec<&str> = LEAD_MESSAGES
        .iter()
        .filter(|(s, _)| *s == source)
        .map(|(_, m)| *m)
        .collect();
    said.get(i % said.len().max(1)).copied()
}

fn account_note(kind: &str, i: usize) -> &'static str {
    let notes = ACCOUNT_NOTES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(ACCOUNT_NOTES[0].1, |(_, n)| n);
    notes[i % notes.len()]
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn city_of(name: &str) -> &'static City {
    CITIES.iter().find(|c| c.0 == name).unwrap_or(&CITIES[0])
}

/// The rep whose territory covers the country, taking turns where several do.
fn owner(reps: &[Id], country: &str, i: usize) -> Option<Id> {
    let covering: Vec<Id> = REPS
        .iter()
        .zip(reps)
        .filter(|((_, _, territory), _)| territory.contains(&country))
        .map(|(_, id)| *id)
        .collect();
    covering.get(i % covering.len().max(1)).copied()
}

/// Digits that look random but depend only on `seed`; the first is never 0 or 1.
fn digits(seed: usize, len: usize) -> String {
    const A: u64 = 6_364_136_223_846_793_005;
    const C: u64 = 1_442_695_040_888_963_407;
    let mut x = (seed as u64).wrapping_mul(A).wrapping_add(C);
    (0..len)
        .map(|k| {
            x = x.wrapping_mul(A).wrapping_add(C);
            let d = (x >> 33) % 10;
            let d = if k == 0 { 2 + d % 8 } else { d };
            char::from_digit(d as u32, 10).unwrap_or('5')
        })
        .collect()
}

/// A company line: "+54 341 421-5567", "+52 33 3614 2290", "+34 954 21 45 67".
fn landline(city: &City, seed: usize) -> String {
    let (_, _, country, area, _) = *city;
    match country {
        "MX" => {
            let local = digits(seed, 10 - area.len());
            let (a, b) = local.split_at(local.len() - 4);
            format!("+52 {area} {a} {b}")
        }
        "ES" => {
            let local = digits(seed, 9 - area.len());
            let (a, b) = local.split_at(local.len() - 4);
            format!("+34 {area} {a} {} {}", &b[..2], &b[2..])
        }
        _ => {
            let local = digits(seed, 10 - area.len());
            let (a, b) = local.split_at(local.len() - 4);
            format!("+54 {area} {a}-{b}")
        }
    }
}

/// A mobile: "+54 9 341 555-1234", "+52 33 1234 5678", "+34 612 345 678".
fn mobile(city: &City, seed: usize) -> String {
    let (_, _, country, area, _) = *city;
    match country {
        "MX" => landline(city, seed),
        "ES" => {
            let local = digits(seed, 8);
            format!("+34 6{} {} {}", &local[..2], &local[2..5], &local[5..])
        }
        _ => {
            let local = digits(seed, 10 - area.len());
            let (a, b) = local.split_at(local.len() - 4);
            format!("+54 9 {area} {a}-{b}")
        }
    }
}

fn street(country: &str, i: usize) -> String {
    let number = 100 + i * 373 % 2_900;
    match country {
        "MX" => format!("{} {number}", STREETS_MX[i % STREETS_MX.len()]),
        "ES" => format!("{}, {}", STREETS_ES[i % STREETS_ES.len()], 1 + i * 17 % 180),
        _ => format!("{} {number}", STREETS_AR[i % STREETS_AR.len()]),
    }
}

/// CUIT in Argentina, RFC in Mexico, CIF in Spain; a Spanish sole proprietor has none.
fn tax_id(i: usize, name: &str, form: &str, country: &str) -> Option<String> {
    match country {
        "AR" => {
            // Companies are 30-..., a woman running her own business 27-<DNI>-.
            let body = if form.is_empty() {
                format!("27{}{}", 2 + i % 2, digits(i + 7_000, 7))
            } else {
                format!("30{}{}", 5 + i % 3, digits(i + 7_000, 7))
            };
            cuit_with_check_digit(&body).map(|c| format!("{}-{}-{}", &c[..2], &c[2..10], &c[10..]))
        }
        "MX" => Some(rfc(name, i)),
        "ES" if !form.is_empty() => Some(cif(form, i)),
        _ => None,
    }
}

/// A company RFC: three letters from the name, the founding date YYMMDD and a
/// three-character homoclave ("DAZ980312AB1").
fn rfc(name: &str, i: usize) -> String {
    const SKIP: &[&str] = &["de", "del", "la", "las", "los", "el", "y"];
    const HOMOCLAVE: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ123456789";
    let folded = fold(name).to_ascii_uppercase();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && !SKIP.contains(&w.to_ascii_lowercase().as_str()))
        .collect();
    let mut letters: String = words
        .iter()
        .filter_map(|w| w.chars().next())
        .take(3)
        .collect();
    // Short names take more letters from the first word.
    for c in words.first().into_iter().flat_map(|w| w.chars().skip(1)) {
        if letters.len() >= 3 {
            break;
        }
        letters.push(c);
    }
    while letters.len() < 3 {
        letters.push('X');
    }
    let h = |k: usize| char::from(HOMOCLAVE[k % HOMOCLAVE.len()]);
    format!(
        "{letters}{:02}{:02}{:02}{}{}{}",
        (85 + i * 3 % 35) % 100,
        1 + i * 5 % 12,
        1 + i * 7 % 28,
        h(i * 7),
        h(i * 11 + 3),
        i * 13 % 10
    )
}

/// A Spanish CIF: the letter of the legal form, seven digits and the control digit.
fn cif(form: &str, i: usize) -> String {
    let letter = match form {
        "S.A." => 'A',
        "S. Coop." => 'F',
        _ => 'B',
    };
    let body = digits(i + 9_000, 7);
    format!("{letter}{body}{}", cif_control(&body))
}

/// The control digit of a CIF whose letter calls for a digit (A, B, F ...).
fn cif_control(body: &str) -> u32 {
    let sum: u32 = body
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(k, d)| {
            if k % 2 == 0 {
                let twice = d * 2;
                twice / 10 + twice % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A name as it appears in an email address: "María José" -> "mariajose".
fn local(s: &str) -> String {
    fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// A campaign name as tracking links write it: "Otoño 2026" -> "otono-2026".
fn slug(s: &str) -> String {
    fold(s)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::NaiveDate;

    use cartera_core::custom_fields::{CustomField, CustomFieldData, validate_values};
    use cartera_core::record::{Meta, RecordData, from_input};
    use cartera_core::{Check, Violation};

    use super::*;

    fn reps() -> Vec<Id> {
        REPS.iter().map(|_| Id::new()).collect()
    }

    fn defs(kind: RecordKind) -> Vec<CustomField> {
        custom_field_definitions()
            .into_iter()
            .map(|v| serde_json::from_value::<CustomFieldData>(v).unwrap())
            .filter(|d| d.record_kind == kind)
            .map(|data| CustomField {
                id: Id::new(),
                data,
                meta: Meta::new(chrono::Utc::now(), None),
            })
            .collect()
    }

    /// Runs the same checks a create does, except those that read the database.
    fn violations<D: RecordData>(input: Value) -> Vec<Violation> {
        let mut data: D = match from_input(input) {
            Ok(d) => d,
            Err(v) => return v.0,
        };
        let mut c = Check::new();
        data.validate(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), &mut c);
        validate_values(data.custom_mut(), None, &defs(D::KIND), &mut c);
        c.into_violations()
    }

    fn accounts() -> Vec<(Id, Option<Id>)> {
        ACCOUNTS
            .iter()
            .map(|_| (Id::new(), Some(Id::new())))
            .collect()
    }

    #[test]
    fn every_record_is_valid() {
        let reps = reps();
        for (i, a) in account_inputs(&reps).into_iter().enumerate() {
            let v = violations::<AccountData>(a);
            assert!(v.is_empty(), "account {}: {v:?}", ACCOUNTS[i].0);
        }
        for p in people(&accounts()) {
            let v = violations::<ContactData>(p.input.clone());
            assert!(v.is_empty(), "{}: {v:?}", p.input);
        }
        for l in lead_inputs(&reps) {
            let v = violations::<LeadData>(l.clone());
            assert!(v.is_empty(), "{l}: {v:?}");
        }
    }

    #[test]
    fn sizes_are_as_promised() {
        assert!((38..=45).contains(&ACCOUNTS.len()));
        let plan = people(&accounts());
        assert!((110..=135).contains(&plan.len()), "{}", plan.len());
        assert!(plan.iter().filter(|p| p.boss.is_some()).count() >= 10);
        assert!((28..=32).contains(&LEADS.len()));
    }

    #[test]
    fn names_and_tax_ids_do_not_repeat() {
        let mut names = HashSet::new();
        for p in people(&accounts()) {
            let name = format!("{} {}", p.input["first_name"], p.input["last_name"]);
            assert!(names.insert(name.clone()), "{name} twice");
        }
        assert!(names.iter().any(|n| n.contains("Núñez")));
        let mut ids = HashSet::new();
        for (i, row) in ACCOUNTS.iter().enumerate() {
            let country = city_of(row.5).2;
            if let Some(t) = tax_id(i, row.0, row.1, country) {
                assert!(ids.insert(t.clone()), "{t} twice");
            }
        }
    }

    #[test]
    fn every_account_has_a_known_city_and_a_rep() {
        let reps = reps();
        for (i, row) in ACCOUNTS.iter().enumerate() {
            assert!(CITIES.iter().any(|c| c.0 == row.5), "{}", row.5);
            assert!(owner(&reps, city_of(row.5).2, i).is_some(), "{}", row.0);
        }
        for row in LEADS {
            assert!(owner(&reps, row.7, 0).is_some(), "{}", row.4);
        }
    }

    #[test]
    fn converted_leads_are_qualified() {
        for (email, ..) in CONVERTED {
            let row = LEADS.iter().find(|l| l.4 == *email).unwrap();
            assert_eq!(row.11, "qualified", "{email}");
        }
    }

    #[test]
    fn tax_id_helpers() {
        assert_eq!(cif_control("5881850"), 1);
        assert_eq!(cif_control("1234567"), 4);
        assert_eq!(rfc("Distribuidora Azteca", 0).len(), 12);
        assert!(rfc("Café de Altura Chiapas", 4).starts_with("CAC"));
        assert_eq!(slug("Otoño 2026"), "otono-2026");
        assert_eq!(local("María José"), "mariajose");
    }
}
