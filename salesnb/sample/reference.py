"""Reference data of the sample company: geography, catalogue, names and the rates it plants.

Static tables only (no randomness): the provinces and their figures, the product
catalogue, the season and channel profiles, the words company and person names are
made of, and the probabilities of lead sources, outcomes and complaint categories.
The other modules of :mod:`salesnb.sample` draw from them.
"""

from __future__ import annotations

import numpy as np

#: Name of the fictional company the sample describes.
COMPANY = "Muebles Ejemplo S.A."

#: Months of history the sample covers, ending at ``end``.
HISTORY_MONTHS = 36

# (community id, name, provinces); each province is
# (id, name, capital, population in thousands, GDP per capita in EUR, phone prefix).
GEOGRAPHY: tuple[tuple[str, str, tuple[tuple[str, str, str, int, int, str], ...]], ...] = (
    ("ES-AN", "Andalucía", (
        ("ES-AL", "Almería", "Almería", 740, 21000, "950"),
        ("ES-CA", "Cádiz", "Cádiz", 1250, 18500, "956"),
        ("ES-CO", "Córdoba", "Córdoba", 776, 18000, "957"),
        ("ES-GR", "Granada", "Granada", 925, 18500, "958"),
        ("ES-H", "Huelva", "Huelva", 530, 20000, "959"),
        ("ES-J", "Jaén", "Jaén", 623, 17500, "953"),
        ("ES-MA", "Málaga", "Málaga", 1720, 20500, "952"),
        ("ES-SE", "Sevilla", "Sevilla", 1950, 20500, "954"),
    )),
    ("ES-CT", "Cataluña", (
        ("ES-B", "Barcelona", "Barcelona", 5720, 33000, "93"),
        ("ES-GI", "Girona", "Girona", 800, 30000, "972"),
        ("ES-L", "Lleida", "Lleida", 445, 31000, "973"),
        ("ES-T", "Tarragona", "Tarragona", 835, 31500, "977"),
    )),
    ("ES-MD", "Comunidad de Madrid", (
        ("ES-M", "Madrid", "Madrid", 6870, 38000, "91"),
    )),
    ("ES-VC", "Comunitat Valenciana", (
        ("ES-A", "Alicante", "Alicante", 1950, 20500, "965"),
        ("ES-CS", "Castellón", "Castellón de la Plana", 600, 25500, "964"),
        ("ES-V", "Valencia", "Valencia", 2620, 24000, "96"),
    )),
    ("ES-GA", "Galicia", (
        ("ES-C", "A Coruña", "A Coruña", 1120, 26000, "981"),
        ("ES-LU", "Lugo", "Lugo", 326, 23500, "982"),
        ("ES-OR", "Ourense", "Ourense", 305, 22000, "988"),
        ("ES-PO", "Pontevedra", "Vigo", 945, 23000, "986"),
    )),
    ("ES-CL", "Castilla y León", (
        ("ES-AV", "Ávila", "Ávila", 158, 20000, "920"),
        ("ES-BU", "Burgos", "Burgos", 357, 29500, "947"),
        ("ES-LE", "León", "León", 450, 22000, "987"),
        ("ES-P", "Palencia", "Palencia", 159, 26000, "979"),
        ("ES-SA", "Salamanca", "Salamanca", 328, 22500, "923"),
        ("ES-SG", "Segovia", "Segovia", 155, 24500, "921"),
        ("ES-SO", "Soria", "Soria", 89, 27000, "975"),
        ("ES-VA", "Valladolid", "Valladolid", 520, 28500, "983"),
        ("ES-ZA", "Zamora", "Zamora", 167, 20500, "980"),
    )),
    ("ES-CM", "Castilla-La Mancha", (
        ("ES-AB", "Albacete", "Albacete", 386, 21500, "967"),
        ("ES-CR", "Ciudad Real", "Ciudad Real", 492, 22000, "926"),
        ("ES-CU", "Cuenca", "Cuenca", 196, 22500, "969"),
        ("ES-GU", "Guadalajara", "Guadalajara", 270, 22000, "949"),
        ("ES-TO", "Toledo", "Toledo", 710, 20500, "925"),
    )),
    ("ES-PV", "País Vasco", (
        ("ES-VI", "Álava", "Vitoria-Gasteiz", 335, 39000, "945"),
        ("ES-SS", "Gipuzkoa", "Donostia", 728, 36500, "943"),
        ("ES-BI", "Bizkaia", "Bilbao", 1155, 33500, "94"),
    )),
    ("ES-AR", "Aragón", (
        ("ES-HU", "Huesca", "Huesca", 225, 30000, "974"),
        ("ES-TE", "Teruel", "Teruel", 134, 28500, "978"),
        ("ES-Z", "Zaragoza", "Zaragoza", 985, 31000, "976"),
    )),
    ("ES-MC", "Región de Murcia", (
        ("ES-MU", "Murcia", "Murcia", 1550, 22000, "968"),
    )),
)

# How well the company is established in each community (home market: Valencia)
# and how fast its business there grows per year.
PENETRATION = {"ES-AN": 1.0, "ES-CT": 0.85, "ES-MD": 1.15, "ES-VC": 1.9, "ES-GA": 0.75,
               "ES-CL": 0.8, "ES-CM": 1.1, "ES-PV": 0.8, "ES-AR": 0.95, "ES-MC": 1.35}
GROWTH = {"ES-AN": 0.04, "ES-CT": 0.01, "ES-MD": 0.06, "ES-VC": 0.01, "ES-GA": -0.03,
          "ES-CL": -0.04, "ES-CM": 0.02, "ES-PV": 0.0, "ES-AR": 0.01, "ES-MC": 0.035}

CHANNELS = ("distributor", "store", "mall", "franchise", "other")
DIST, STORE, MALL, FRAN, OTHER = range(5)

CATEGORIES = (
    "Mobiliario de oficina",
    "Sofás y tapizados",
    "Dormitorio",
    "Mobiliario de exterior",
    "Equipos de hostelería",
    "Equipos de heladería",
    "Barbacoas y parrillas",
)

# Monthly season profile per category, January..December (normalised to mean 1 below).
SEASON = np.array([
    [0.85, 1.00, 1.05, 1.00, 1.00, 0.95, 0.85, 0.40, 1.25, 1.35, 1.20, 0.90],  # oficina
    [0.75, 0.85, 1.10, 1.15, 1.05, 0.90, 0.80, 0.40, 1.05, 1.35, 1.40, 1.10],  # sofás
    [0.80, 0.90, 1.15, 1.20, 1.10, 0.95, 0.85, 0.45, 1.10, 1.25, 1.15, 0.90],  # dormitorio
    [0.45, 0.65, 1.30, 1.60, 1.70, 1.50, 1.00, 0.40, 0.75, 0.75, 0.50, 0.45],  # exterior
    [0.65, 0.95, 1.30, 1.35, 1.25, 1.00, 0.75, 0.40, 1.10, 1.20, 1.05, 0.75],  # hostelería
    [0.40, 0.75, 1.45, 1.75, 1.75, 1.40, 0.90, 0.30, 0.60, 0.65, 0.45, 0.40],  # heladería
    [0.45, 0.60, 1.20, 1.60, 1.75, 1.50, 1.05, 0.35, 0.70, 0.75, 0.50, 0.60],  # barbacoas
])
SEASON = SEASON / SEASON.mean(axis=1, keepdims=True)

# Share of each category in the purchases of each channel (rows follow CHANNELS).
CHANNEL_MIX = np.array([
    [0.22, 0.16, 0.14, 0.14, 0.18, 0.06, 0.10],  # distributor
    [0.15, 0.30, 0.28, 0.17, 0.04, 0.01, 0.05],  # store
    [0.10, 0.30, 0.25, 0.25, 0.04, 0.01, 0.05],  # mall
    [0.04, 0.04, 0.02, 0.15, 0.30, 0.30, 0.15],  # franchise
    [0.35, 0.10, 0.15, 0.15, 0.15, 0.03, 0.07],  # other
])
CHANNEL_MIX = CHANNEL_MIX / CHANNEL_MIX.sum(axis=1, keepdims=True)

# Per channel: orders per customer-month, yearly trend of that rate, mean extra lines per
# order, geometric parameter of the quantity, base discount, payment terms (days).
ORDER_RATE = np.array([0.95, 0.55, 0.7, 0.6, 0.35])
CHANNEL_TREND = np.array([0.0, -0.06, -0.01, 0.0, -0.02])
EXTRA_LINES = np.array([1.6, 1.0, 1.2, 1.0, 0.8])
QTY_P = np.array([0.33, 0.45, 0.4, 0.45, 0.5])
BASE_DISCOUNT = np.array([0.18, 0.05, 0.10, 0.12, 0.03])
TERMS = np.array([60, 30, 60, 30, 30])

# (category index, name, list price in EUR at the end of the history). Fixed catalogue.
CATALOGUE: tuple[tuple[int, str, float], ...] = (
    (0, "Silla operativa Kora", 145.0),
    (0, "Silla ergonómica Ergo Pro", 389.0),
    (0, "Sillón de dirección Magno", 620.0),
    (0, "Mesa de trabajo Línea 140", 310.0),
    (0, "Mesa elevable Alza", 690.0),
    (0, "Mesa de reuniones Roble 240", 1150.0),
    (0, "Armario alto Archivo", 420.0),
    (0, "Cajonera rodante Trío", 185.0),
    (0, "Silla confidente Clásica", 95.0),
    (0, "Cabina acústica Silencio", 4900.0),
    (1, "Sofá Lagos 3 plazas", 890.0),
    (1, "Sofá cama Noa", 740.0),
    (1, "Chaise longue Marina", 1290.0),
    (1, "Sillón relax Siesta", 560.0),
    (1, "Sofá rinconera Sierra", 1680.0),
    (1, "Puf Nube", 120.0),
    (1, "Sofá modular Mosaico", 2150.0),
    (1, "Butaca Alba", 390.0),
    (1, "Sofá 2 plazas Brisa", 690.0),
    (2, "Cama Lisboa 150", 520.0),
    (2, "Canapé abatible Duo 135", 410.0),
    (2, "Colchón Viscoflex 150", 480.0),
    (2, "Colchón muelles ensacados 135", 560.0),
    (2, "Armario ropero Nórdico 3 puertas", 780.0),
    (2, "Cómoda Luna 6 cajones", 340.0),
    (2, "Mesita de noche Aura", 110.0),
    (2, "Cabecero tapizado Lino", 190.0),
    (3, "Conjunto terraza Mediterráneo 6 plazas", 1250.0),
    (3, "Tumbona Playa aluminio", 210.0),
    (3, "Silla apilable Terraza", 65.0),
    (3, "Mesa bistró Café", 140.0),
    (3, "Sombrilla Parasol 3 m", 290.0),
    (3, "Sofá de exterior Ibiza", 1690.0),
    (3, "Jardinera Corten", 175.0),
    (3, "Conjunto balcón Ático", 420.0),
    (4, "Vitrina refrigerada Expo 120", 2350.0),
    (4, "Mesa fría Gastro 3 puertas", 1980.0),
    (4, "Lavavajillas de capota Aqua", 3100.0),
    (4, "Cafetera profesional Barista 2G", 3450.0),
    (4, "Horno mixto Combi 6 bandejas", 5900.0),
    (4, "Freidora doble Crisp", 780.0),
    (4, "Botellero frigorífico Bar", 1150.0),
    (4, "Fabricador de hielo Cubo 40", 1650.0),
    (4, "Campana extractora Inox 200", 1380.0),
    (5, "Máquina de helado soft Twist", 8900.0),
    (5, "Mantecadora Gelato 15", 11800.0),
    (5, "Vitrina de helados Polar 12 sabores", 6400.0),
    (5, "Congelador de helados Ártico", 1450.0),
    (5, "Abatidor de temperatura Blast 5", 4200.0),
    (5, "Granizadora Duo 2x12 L", 1350.0),
    (5, "Máquina de yogur helado Frozen", 7200.0),
    (5, "Carro de helados Kiosco", 2600.0),
    (6, "Barbacoa de carbón Asador 80", 640.0),
    (6, "Parrilla argentina Pampa", 1450.0),
    (6, "Barbacoa de gas Fuego 4 quemadores", 890.0),
    (6, "Horno de leña Toscano", 2300.0),
    (6, "Plancha de gas Fry-Top 60", 720.0),
    (6, "Brasa profesional Carbón 40", 7800.0),
    (6, "Ahumador Humo", 980.0),
    (6, "Kamado cerámico Ember", 1190.0),
)
# Products launched during the history: name -> months after the history start
# (negative: months before the end).
LAUNCHES = {"Sofá modular Mosaico": 10, "Máquina de yogur helado Frozen": 16,
            "Cabina acústica Silencio": -4}
#: The old model whose sales fade year after year.
DECLINING = "Silla confidente Clásica"

FIRST_NAMES = (
    "María", "Carmen", "Ana", "Laura", "Lucía", "Marta", "Elena", "Isabel", "Cristina", "Paula",
    "Sara", "Raquel", "Nuria", "Pilar", "Rocío", "Beatriz", "Silvia", "Irene", "Alba", "Noelia",
    "Montserrat", "Begoña", "Ainhoa", "Inés", "Antonio", "José", "Manuel", "Francisco", "David",
    "Juan", "Javier", "Daniel", "Carlos", "Jesús", "Alejandro", "Miguel", "Rafael", "Pablo",
    "Sergio", "Fernando", "Jorge", "Luis", "Alberto", "Álvaro", "Iñaki", "Jordi", "Xavier",
    "Xoán", "Aitor", "Óscar",
)
SURNAMES = (
    "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil",
    "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro",
    "Ortiz", "Rubio", "Marín", "Sanz", "Núñez", "Iglesias", "Medina", "Garrido", "Cortés",
    "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez", "Cruz", "Calvo",
    "Gallego", "Vidal", "León", "Márquez", "Herrera", "Peña", "Flores", "Cabrera", "Campos",
    "Vega", "Fuentes", "Carrasco", "Díez", "Caballero", "Reyes", "Nieto", "Aguilar", "Pascual",
    "Santana", "Herrero", "Lorenzo", "Montero", "Hidalgo", "Giménez", "Ibáñez", "Ferrer", "Durán",
    "Santiago", "Benítez", "Mora", "Vicente", "Arias", "Vargas", "Carmona", "Crespo", "Román",
    "Pastor", "Soto", "Sáez", "Velasco", "Moya", "Soler", "Parra", "Esteban", "Bravo", "Gallardo",
    "Rojas", "Etxeberria", "Puig", "Castells", "Otero", "Beltrán", "Llorente", "Quintana",
)
FOREIGN_NAMES = (
    "Marco Rossi", "Sophie Martin", "Li Wei", "Thomas Müller", "Ahmed Benali", "Olga Ivanova",
    "John Smith", "Pierre Dubois", "Anna Kowalski", "Chen Jing", "Lars Jensen", "Emma Schneider",
    "Giulia Bianchi", "Hugo Lefèvre", "Yuki Tanaka", "Rui Costa", "Fatima Zahra", "Jan de Vries",
)
PLACES = (
    "Los Arcos", "Las Palmeras", "El Olivar", "Los Álamos", "La Estación", "Puerta Nueva",
    "El Faro", "Río Verde", "Las Dunas", "El Mirador", "La Ermita", "Los Pinos", "Bahía",
    "Valle Alto", "La Atalaya", "Plaza Mayor", "Sol y Mar", "La Alameda", "El Puerto",
    "Las Moreras", "Santa Clara", "San Lorenzo", "La Ribera", "Montealto", "El Parque",
    "La Fuente", "El Molino", "Los Naranjos", "La Marina", "El Castillo", "La Vega",
    "Las Acacias", "El Pinar", "La Loma", "Los Olivos", "El Rocío", "La Cañada", "San Roque",
    "Las Torres", "El Cerro", "La Glorieta", "Los Rosales", "El Palmeral", "La Albufera",
    "Costa Azul", "Sierra Nevada", "Las Lomas", "El Balcón", "La Caleta", "Puerto Alto",
)
BRANDS = ("Polar", "Dolce Vita", "La Brasa", "Fuego Lento", "Nieve", "Il Gelato", "Parrilla Sur",
          "Café Norte", "Punto Frío", "Leña y Sal", "Tutti Frutti", "El Asador")

# Name patterns per channel: ({S} surname, {T} town, {P} place, {B} brand, {F} first name).
NAME_PATTERNS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DIST: (("Distribuciones {S}", "Comercial {S}", "Suministros {T}", "Equipamientos {S}",
            "Grupo {S}", "{T} Contract", "Hostelequip {T}", "Distribuidora {P}"),
           ("S.A.", "S.L.", "S.L.", "S.A.", "S.L.U.")),
    STORE: (("Muebles {S}", "Mobiliario {S}", "Decoración {S}", "Hogar {S}", "Tapicerías {S}",
             "Muebles {T}", "El Rincón de {F}", "Casa {S}", "Descanso {S}", "Muebles {P}"),
            ("S.L.", "S.L.", "", "e Hijos S.L.", "C.B.", "S.L.U.")),
    MALL: (("Centro Comercial {P}", "C.C. {P} {T}", "Galerías {P}", "Parque Comercial {P}",
            "Espacio Hogar {P}"), ("", "", "S.A.")),
    FRAN: (("Heladería {B} {T}", "Grill {B} {T}", "Café {B} {T}", "Brasería {B} {T}",
            "Franquicia {B} {T}"), ("S.L.", "", "S.L.U.")),
    OTHER: (("Hotel {P}", "Restaurante {S}", "Coworking {P}", "Residencia {P}", "Hostal {P}",
             "Oficinas {S}", "Cafetería {P}"), ("", "S.L.", "S.A.")),
}
LEAD_SUFFIXES = ("S.L.", "S.L.", "", "S.A.", "S.L.U.", "C.B.")
LEAD_PATTERNS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DIST: (("Distribuciones {S}", "Comercial {S} {T}", "Suministros {P}", "Equipamientos {T}",
            "Distribuciones {P}", "Mayorista {S}"), LEAD_SUFFIXES),
    STORE: (("Muebles {S}", "Decoración {P}", "Hogar y Diseño {S}", "Tapicerías {S}",
             "Tienda {P}", "Muebles {F} {S}", "Interiores {S}"), LEAD_SUFFIXES),
    MALL: (("Centro Comercial {P}", "Galerías {P} {T}", "Retail Park {P}",
            "Centro Comercial {P} {T}"), LEAD_SUFFIXES),
    FRAN: (("Heladería {P}", "Grill {S}", "Cafetería {P}", "Brasería {S}", "Gelatería {P}",
            "Pizzería {P}", "Heladería {S}", "Asador {S}"), LEAD_SUFFIXES),
    OTHER: (("Hotel {P}", "Restaurante {S}", "Coworking {T}", "Hostal {P}", "Camping {P}",
             "Restaurante {P}"), LEAD_SUFFIXES),
}

SOURCES = ("trade_fair", "website", "referral", "cold_list", "partner")
SOURCE_P = np.array([0.2, 0.3, 0.15, 0.25, 0.1])
SOURCE_EFFECT = np.array([0.4, 0.0, 0.8, -0.9, 0.5])
LEAD_CHANNEL_P = np.array([0.22, 0.28, 0.1, 0.27, 0.13])
LEAD_CHANNEL_EFFECT = np.array([0.3, -0.25, 0.0, 0.35, -0.5])
LOST_REASONS = ("price", "competitor", "no_budget", "no_response", "timing")
LOST_P = np.array([0.3, 0.25, 0.15, 0.2, 0.1])

COMPLAINTS = ("configuration_mismatch", "defect", "delivery_delay", "installation", "billing")
COMPLAINT_P = np.array([0.2, 0.32, 0.25, 0.13, 0.10])
COMPLAINT_P_RECENT = np.array([0.38, 0.26, 0.2, 0.1, 0.06])

KINDS = ("call", "visit", "meeting", "email")
#: Field work of a rep of average activity per working week, by kind (call, visit, meeting),
#: besides the contacts with leads and the occasional contacts with accounts.
FIELD_WEEK = np.array([17.5, 4.6, 1.2])
#: Share of the field work of each kind (call, visit, meeting) done with prospects (open leads).
PROSPECT_SHARE = np.array([0.17, 0.08, 0.1])
#: Field work by month of the year (January first): quiet in August and at Christmas.
FIELD_SEASON = np.array([0.95, 1.05, 1.1, 1.1, 1.05, 1.0, 0.9, 0.55, 1.05, 1.1, 1.05, 0.85])
OUTCOMES_CUSTOMER = (
    (("connected", "no_answer", "callback", "order_taken"), (0.5, 0.25, 0.1, 0.15)),
    (("order_taken", "follow_up", "no_interest", "complaint_raised"), (0.35, 0.45, 0.12, 0.08)),
    (("proposal_sent", "order_taken", "follow_up"), (0.4, 0.3, 0.3)),
    (("sent", "replied", "no_reply"), (0.4, 0.35, 0.25)),
)
OUTCOMES_LEAD = (
    (("connected", "no_answer", "voicemail", "callback", "not_interested"),
     (0.35, 0.3, 0.1, 0.15, 0.1)),
    (("demo_done", "follow_up", "not_interested"), (0.4, 0.45, 0.15)),
    (("proposal_sent", "negotiation", "follow_up"), (0.4, 0.3, 0.3)),
    (("sent", "replied", "no_reply"), (0.4, 0.3, 0.3)),
)

FIXED_HOLIDAYS = ("01-01", "01-06", "05-01", "08-15", "10-12", "11-01", "12-06", "12-08",
                  "12-25")
FAR_FUTURE = np.datetime64("2999-12-31", "D")

#: Channel x month-of-year profile of order rates (``CHANNEL_MIX @ SEASON``).
SEASON_BY_CHANNEL = CHANNEL_MIX @ SEASON
