"""The deterministic sample company, at any scale.

:func:`generate` writes a complete dataset that satisfies :mod:`salesnb.schema`
for a fictional Spanish maker of furniture and hospitality equipment,
*Muebles Ejemplo S.A.* (based in the Comunitat Valenciana), which sells through
distributors, family stores, shopping malls and franchises across ten
autonomous communities and their provinces.

The data is invented but carries the patterns the notebooks look for:

* **Seasons** per category (high season in spring or autumn, low season in August
  and January; terrace, ice-cream and barbecue equipment peak before summer).
* **Trend** of roughly 5-10 % a year overall, different by community and channel:
  the mix shifts from family ``store`` accounts to ``distributor`` accounts.
* **Promotions** (spring, Black Friday, summer sales) with deeper discounts and more
  volume; the order line carries the ``promo_code``.
* **Returns** (negative quantity, about 1.5 % of lines), **lost customers** that
  slow down and stop buying, **reps pacing behind** in the last months, **new hires**
  ramping up and one **leaver** whose accounts were handed over.
* **Leads** whose chance of being won depends on their attributes and on the
  attractiveness of their province, with realistic duplicates (same company
  spelled differently, same phone in another format, leads that are already
  customers).
* **Receivables** with late payers and unpaid recent invoices, **complaints**
  (including goods that do not match the signed configuration list), monthly
  **rep reports** (some late, some missing) and quarterly **evaluations**.

Everything depends only on ``seed``, ``scale`` and ``end``: the same arguments
give byte-identical files. Orders, invoices and activities are generated month
by month and appended to their files, so memory does not grow with the number
of order lines.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.schema import TABLES

__all__ = ["COMPANY", "generate"]

#: Name of the fictional company the sample describes.
COMPANY = "Muebles Ejemplo S.A."

#: Months of history the sample covers, ending at ``end``.
HISTORY_MONTHS = 36

# --------------------------------------------------------------------------------------
# Static reference data
# --------------------------------------------------------------------------------------

# (community id, name, provinces); each province is
# (id, name, capital, population in thousands, GDP per capita in EUR, phone prefix).
_GEOGRAPHY: tuple[tuple[str, str, tuple[tuple[str, str, str, int, int, str], ...]], ...] = (
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
_PENETRATION = {"ES-AN": 1.0, "ES-CT": 0.85, "ES-MD": 1.15, "ES-VC": 1.9, "ES-GA": 0.75,
                "ES-CL": 0.8, "ES-CM": 1.1, "ES-PV": 0.8, "ES-AR": 0.95, "ES-MC": 1.35}
_GROWTH = {"ES-AN": 0.04, "ES-CT": 0.01, "ES-MD": 0.06, "ES-VC": 0.01, "ES-GA": -0.03,
           "ES-CL": -0.04, "ES-CM": 0.02, "ES-PV": 0.0, "ES-AR": 0.01, "ES-MC": 0.035}

_CHANNELS = ("distributor", "store", "mall", "franchise", "other")
_DIST, _STORE, _MALL, _FRAN, _OTHER = range(5)

_CATEGORIES = (
    "Mobiliario de oficina",
    "Sofás y tapizados",
    "Dormitorio",
    "Mobiliario de exterior",
    "Equipos de hostelería",
    "Equipos de heladería",
    "Barbacoas y parrillas",
)

# Monthly season profile per category, January..December (normalised to mean 1 below).
_SEASON = np.array([
    [0.85, 1.00, 1.05, 1.00, 1.00, 0.95, 0.85, 0.40, 1.25, 1.35, 1.20, 0.90],  # oficina
    [0.75, 0.85, 1.10, 1.15, 1.05, 0.90, 0.80, 0.40, 1.05, 1.35, 1.40, 1.10],  # sofás
    [0.80, 0.90, 1.15, 1.20, 1.10, 0.95, 0.85, 0.45, 1.10, 1.25, 1.15, 0.90],  # dormitorio
    [0.45, 0.65, 1.30, 1.60, 1.70, 1.50, 1.00, 0.40, 0.75, 0.75, 0.50, 0.45],  # exterior
    [0.65, 0.95, 1.30, 1.35, 1.25, 1.00, 0.75, 0.40, 1.10, 1.20, 1.05, 0.75],  # hostelería
    [0.40, 0.75, 1.45, 1.75, 1.75, 1.40, 0.90, 0.30, 0.60, 0.65, 0.45, 0.40],  # heladería
    [0.45, 0.60, 1.20, 1.60, 1.75, 1.50, 1.05, 0.35, 0.70, 0.75, 0.50, 0.60],  # barbacoas
])
_SEASON = _SEASON / _SEASON.mean(axis=1, keepdims=True)

# Share of each category in the purchases of each channel (rows follow _CHANNELS).
_CHANNEL_MIX = np.array([
    [0.22, 0.16, 0.14, 0.14, 0.18, 0.06, 0.10],  # distributor
    [0.15, 0.30, 0.28, 0.17, 0.04, 0.01, 0.05],  # store
    [0.10, 0.30, 0.25, 0.25, 0.04, 0.01, 0.05],  # mall
    [0.04, 0.04, 0.02, 0.15, 0.30, 0.30, 0.15],  # franchise
    [0.35, 0.10, 0.15, 0.15, 0.15, 0.03, 0.07],  # other
])
_CHANNEL_MIX = _CHANNEL_MIX / _CHANNEL_MIX.sum(axis=1, keepdims=True)

# Per channel: orders per customer-month, yearly trend of that rate, mean extra lines per
# order, geometric parameter of the quantity, base discount, payment terms (days).
_ORDER_RATE = np.array([0.95, 0.55, 0.7, 0.6, 0.35])
_CHANNEL_TREND = np.array([0.0, -0.06, -0.01, 0.0, -0.02])
_EXTRA_LINES = np.array([1.6, 1.0, 1.2, 1.0, 0.8])
_QTY_P = np.array([0.33, 0.45, 0.4, 0.45, 0.5])
_BASE_DISCOUNT = np.array([0.18, 0.05, 0.10, 0.12, 0.03])
_TERMS = np.array([60, 30, 60, 30, 30])

# (category index, name, list price in EUR at the end of the history). Fixed catalogue.
_CATALOGUE: tuple[tuple[int, str, float], ...] = (
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
_LAUNCHES = {"Sofá modular Mosaico": 10, "Máquina de yogur helado Frozen": 16,
             "Cabina acústica Silencio": -4}
#: The old model whose sales fade year after year.
_DECLINING = "Silla confidente Clásica"

_FIRST_NAMES = (
    "María", "Carmen", "Ana", "Laura", "Lucía", "Marta", "Elena", "Isabel", "Cristina", "Paula",
    "Sara", "Raquel", "Nuria", "Pilar", "Rocío", "Beatriz", "Silvia", "Irene", "Alba", "Noelia",
    "Montserrat", "Begoña", "Ainhoa", "Inés", "Antonio", "José", "Manuel", "Francisco", "David",
    "Juan", "Javier", "Daniel", "Carlos", "Jesús", "Alejandro", "Miguel", "Rafael", "Pablo",
    "Sergio", "Fernando", "Jorge", "Luis", "Alberto", "Álvaro", "Iñaki", "Jordi", "Xavier",
    "Xoán", "Aitor", "Óscar",
)
_SURNAMES = (
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
_FOREIGN_NAMES = (
    "Marco Rossi", "Sophie Martin", "Li Wei", "Thomas Müller", "Ahmed Benali", "Olga Ivanova",
    "John Smith", "Pierre Dubois", "Anna Kowalski", "Chen Jing", "Lars Jensen", "Emma Schneider",
    "Giulia Bianchi", "Hugo Lefèvre", "Yuki Tanaka", "Rui Costa", "Fatima Zahra", "Jan de Vries",
)
_PLACES = (
    "Los Arcos", "Las Palmeras", "El Olivar", "Los Álamos", "La Estación", "Puerta Nueva",
    "El Faro", "Río Verde", "Las Dunas", "El Mirador", "La Ermita", "Los Pinos", "Bahía",
    "Valle Alto", "La Atalaya", "Plaza Mayor", "Sol y Mar", "La Alameda", "El Puerto",
    "Las Moreras", "Santa Clara", "San Lorenzo", "La Ribera", "Montealto", "El Parque",
    "La Fuente", "El Molino", "Los Naranjos", "La Marina", "El Castillo", "La Vega",
    "Las Acacias", "El Pinar", "La Loma", "Los Olivos", "El Rocío", "La Cañada", "San Roque",
    "Las Torres", "El Cerro", "La Glorieta", "Los Rosales", "El Palmeral", "La Albufera",
    "Costa Azul", "Sierra Nevada", "Las Lomas", "El Balcón", "La Caleta", "Puerto Alto",
)
_BRANDS = ("Polar", "Dolce Vita", "La Brasa", "Fuego Lento", "Nieve", "Il Gelato", "Parrilla Sur",
           "Café Norte", "Punto Frío", "Leña y Sal", "Tutti Frutti", "El Asador")

# Name patterns per channel: ({S} surname, {T} town, {P} place, {B} brand, {F} first name).
_NAME_PATTERNS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    _DIST: (("Distribuciones {S}", "Comercial {S}", "Suministros {T}", "Equipamientos {S}",
             "Grupo {S}", "{T} Contract", "Hostelequip {T}", "Distribuidora {P}"),
            ("S.A.", "S.L.", "S.L.", "S.A.", "S.L.U.")),
    _STORE: (("Muebles {S}", "Mobiliario {S}", "Decoración {S}", "Hogar {S}", "Tapicerías {S}",
              "Muebles {T}", "El Rincón de {F}", "Casa {S}", "Descanso {S}", "Muebles {P}"),
             ("S.L.", "S.L.", "", "e Hijos S.L.", "C.B.", "S.L.U.")),
    _MALL: (("Centro Comercial {P}", "C.C. {P} {T}", "Galerías {P}", "Parque Comercial {P}",
             "Espacio Hogar {P}"), ("", "", "S.A.")),
    _FRAN: (("Heladería {B} {T}", "Grill {B} {T}", "Café {B} {T}", "Brasería {B} {T}",
             "Franquicia {B} {T}"), ("S.L.", "", "S.L.U.")),
    _OTHER: (("Hotel {P}", "Restaurante {S}", "Coworking {P}", "Residencia {P}", "Hostal {P}",
              "Oficinas {S}", "Cafetería {P}"), ("", "S.L.", "S.A.")),
}
_LEAD_SUFFIXES = ("S.L.", "S.L.", "", "S.A.", "S.L.U.", "C.B.")
_LEAD_PATTERNS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    _DIST: (("Distribuciones {S}", "Comercial {S} {T}", "Suministros {P}", "Equipamientos {T}",
             "Distribuciones {P}", "Mayorista {S}"), _LEAD_SUFFIXES),
    _STORE: (("Muebles {S}", "Decoración {P}", "Hogar y Diseño {S}", "Tapicerías {S}",
              "Tienda {P}", "Muebles {F} {S}", "Interiores {S}"), _LEAD_SUFFIXES),
    _MALL: (("Centro Comercial {P}", "Galerías {P} {T}", "Retail Park {P}",
             "Centro Comercial {P} {T}"), _LEAD_SUFFIXES),
    _FRAN: (("Heladería {P}", "Grill {S}", "Cafetería {P}", "Brasería {S}", "Gelatería {P}",
             "Pizzería {P}", "Heladería {S}", "Asador {S}"), _LEAD_SUFFIXES),
    _OTHER: (("Hotel {P}", "Restaurante {S}", "Coworking {T}", "Hostal {P}", "Camping {P}",
              "Restaurante {P}"), _LEAD_SUFFIXES),
}

_SOURCES = ("trade_fair", "website", "referral", "cold_list", "partner")
_SOURCE_P = np.array([0.2, 0.3, 0.15, 0.25, 0.1])
_SOURCE_EFFECT = np.array([0.4, 0.0, 0.8, -0.9, 0.5])
_LEAD_CHANNEL_P = np.array([0.22, 0.28, 0.1, 0.27, 0.13])
_LEAD_CHANNEL_EFFECT = np.array([0.3, -0.25, 0.0, 0.35, -0.5])
_LOST_REASONS = ("price", "competitor", "no_budget", "no_response", "timing")
_LOST_P = np.array([0.3, 0.25, 0.15, 0.2, 0.1])

_COMPLAINTS = ("configuration_mismatch", "defect", "delivery_delay", "installation", "billing")
_COMPLAINT_P = np.array([0.2, 0.32, 0.25, 0.13, 0.10])
_COMPLAINT_P_RECENT = np.array([0.38, 0.26, 0.2, 0.1, 0.06])

_KINDS = ("call", "visit", "meeting", "email")
_OUTCOMES_CUSTOMER = (
    (("connected", "no_answer", "callback", "order_taken"), (0.5, 0.25, 0.1, 0.15)),
    (("order_taken", "follow_up", "no_interest", "complaint_raised"), (0.35, 0.45, 0.12, 0.08)),
    (("proposal_sent", "order_taken", "follow_up"), (0.4, 0.3, 0.3)),
    (("sent", "replied", "no_reply"), (0.4, 0.35, 0.25)),
)
_OUTCOMES_LEAD = (
    (("connected", "no_answer", "voicemail", "callback", "not_interested"),
     (0.35, 0.3, 0.1, 0.15, 0.1)),
    (("demo_done", "follow_up", "not_interested"), (0.4, 0.45, 0.15)),
    (("proposal_sent", "negotiation", "follow_up"), (0.4, 0.3, 0.3)),
    (("sent", "replied", "no_reply"), (0.4, 0.3, 0.3)),
)

_FIXED_HOLIDAYS = ("01-01", "01-06", "05-01", "08-15", "10-12", "11-01", "12-06", "12-08",
                   "12-25")
_FAR_FUTURE = np.datetime64("2999-12-31", "D")

# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------


def _check_scale(scale: object) -> float:
    ok = isinstance(scale, numbers.Real) and not isinstance(scale, bool)
    if ok:
        value = float(scale)  # type: ignore[arg-type]
        ok = math.isfinite(value) and value > 0
    if not ok:
        raise ParameterError(
            f"The 'scale' parameter must be a positive number. Got {scale!r} instead."
        )
    return value


def _check_seed(seed: object) -> int:
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return int(seed)
    raise ParameterError(
        f"The 'seed' parameter must be a non-negative integer. Got {seed!r} instead."
    )


def _check_end(end: object) -> np.datetime64:
    match = re.fullmatch(r"(\d{4})-(\d{2})", end) if isinstance(end, str) else None
    if match is None or not (1 <= int(match[2]) <= 12) or not (1990 <= int(match[1]) <= 2100):
        raise ParameterError(
            "The 'end' parameter must be the last month of history as 'YYYY-MM', between "
            f"'1990-01' and '2100-12' (for example '2026-10'). Got {end!r} instead."
        )
    return np.datetime64(end, "M")


# --------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------


def _easter(year: int) -> np.datetime64:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    lw = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lw) // 451
    month, day = divmod(h + lw - 7 * m + 114, 31)
    return np.datetime64(f"{year:04d}-{month:02d}-{day + 1:02d}", "D")


@dataclass(frozen=True)
class _Calendar:
    """The history window and Spain's national working days."""

    end_month: np.datetime64

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.end_month - (HISTORY_MONTHS - 1), self.end_month + 1)

    @property
    def start(self) -> np.datetime64:
        return (self.end_month - (HISTORY_MONTHS - 1)).astype("datetime64[D]")

    @property
    def end(self) -> np.datetime64:
        return (self.end_month + 1).astype("datetime64[D]") - 1

    @property
    def busdaycal(self) -> np.busdaycalendar:
        first = int(str(self.end_month)[:4]) - 25
        years = range(first, first + 30)
        days = [np.datetime64(f"{y:04d}-{md}", "D") for y in years for md in _FIXED_HOLIDAYS]
        days += [_easter(y) - 2 for y in years]  # Good Friday
        return np.busdaycalendar(holidays=np.array(days, dtype="datetime64[D]"))

    def month_start(self, m: int) -> np.datetime64:
        return self.months[m].astype("datetime64[D]")

    def month_end(self, m: int) -> np.datetime64:
        return (self.months[m] + 1).astype("datetime64[D]") - 1

    def years(self, dates: np.ndarray | np.datetime64) -> np.ndarray:
        """Years elapsed since the start of the history (float)."""
        return (np.asarray(dates, dtype="datetime64[D]") - self.start).astype(float) / 365.25


def _roll(dates: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    """Move each date forward to the next working day."""
    return np.busday_offset(dates.astype("datetime64[D]"), 0, roll="forward", busdaycal=cal)


def _uniform_dates(rng: np.random.Generator, lo, hi, size: int) -> np.ndarray:
    """Dates drawn uniformly in [lo, hi] (bounds may be arrays)."""
    lo = np.asarray(lo, dtype="datetime64[D]")
    hi = np.asarray(hi, dtype="datetime64[D]")
    span = (hi - lo).astype(np.int64) + 1
    return lo + np.floor(rng.random(size) * span).astype(np.int64)


# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", _ascii(text).lower())[:24] or "empresa"


_LEGAL_FORM = re.compile(r"\s+(e Hijos\s+)?(S\.L\.U\.|S\.L\.|S\.A\.|C\.B\.)$")


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _key(name: str) -> str:
    """A company name reduced to what tells companies apart (no legal form, accents, case)."""
    return _NOT_ALNUM.sub("", _ascii(_LEGAL_FORM.sub("", name)).lower())


def _fill(pattern: str, town: str, r: list[int]) -> str:
    """Fill a name pattern; ``r`` holds five random non-negative integers."""
    return pattern.format(
        S=_SURNAMES[r[1] % len(_SURNAMES)],
        T=town,
        P=_PLACES[r[2] % len(_PLACES)],
        B=_BRANDS[r[3] % len(_BRANDS)],
        F=_FIRST_NAMES[r[4] % len(_FIRST_NAMES)],
    )


def _variant(name: str, kind: int) -> str:
    """The same company name as another person would type it."""
    if kind == 1:
        out = name.lower()
    elif kind == 2:
        swaps = (("S.L.U.", "SLU"), ("S.L.", "SL"), ("S.A.", "SA"), ("C.B.", "CB"),
                 (" e Hijos", " E HIJOS"))
        out = name
        for old, new in swaps:
            if old in out:
                out = out.replace(old, new)
                break
        else:
            out = name + " S.L."
    elif kind == 3:
        out = _ascii(name)
        if out == name:
            out = name.replace(" ", "  ", 1) + " "
    else:
        out = re.sub(r"[.,]", "", _ascii(name)).upper()
    if out == name:
        out = re.sub(r"[.,]", "", _ascii(name)).upper()
    return out if out != name else name + " "


def _format_phone(digits: str, style: int) -> str:
    d = digits
    if style == 0:
        return f"+34 {d[:3]} {d[3:6]} {d[6:]}"
    if style == 1:
        return d
    if style == 2:
        return f"0034-{d[:3]}-{d[3:6]}-{d[6:]}"
    if style == 3:
        return f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}"
    if style == 4:
        return f"+34{d}"
    return f"{d[:3]}.{d[3:6]}.{d[6:]}"


def _phones(rng: np.random.Generator, prefixes: list[str]) -> list[str]:
    """Nine-digit Spanish numbers: landlines with the province prefix, or mobiles."""
    n = len(prefixes)
    mobile = rng.random(n) < 0.4
    first = np.where(rng.random(n) < 0.85, "6", "7")
    tails = rng.integers(0, 10**8, n)
    out = []
    for i in range(n):
        if mobile[i]:
            out.append(f"{first[i]}{tails[i]:08d}")
        else:
            p = prefixes[i]
            out.append(p + f"{tails[i]:08d}"[: 9 - len(p)])
    return out


def _ids(prefix: str, numbers_: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded numbers, as an object array."""
    return np.array([f"{prefix}{n:0{width}d}" for n in numbers_.tolist()], dtype=object)


def _choice_index(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(len(probs), size=size, p=probs / probs.sum())


# --------------------------------------------------------------------------------------
# The world: regions, reps, products, customers
# --------------------------------------------------------------------------------------


@dataclass
class _World:
    """Everything the monthly simulation needs, as numpy arrays."""

    cal: _Calendar
    busdaycal: np.busdaycalendar
    # provinces
    prov_ids: np.ndarray
    prov_comm: np.ndarray
    prov_weight: np.ndarray
    prov_attr: np.ndarray
    prov_town: list[str]
    prov_prefix: list[str]
    comm_ids: list[str]
    # reps
    rep_ids: np.ndarray
    rep_comm: np.ndarray
    rep_hire: np.ndarray
    rep_leave: np.ndarray
    rep_activity: np.ndarray
    rep_discipline: np.ndarray
    rep_pacing: np.ndarray
    rep_new: np.ndarray
    # products
    prod_ids: np.ndarray
    prod_cat: np.ndarray
    prod_price: np.ndarray
    prod_launch: np.ndarray
    prod_weight: np.ndarray
    prod_decline: np.ndarray
    # customers
    cust_ids: np.ndarray
    cust_names: list[str]
    cust_phone: list[str]
    cust_channel: np.ndarray
    cust_prov: np.ndarray
    cust_created: np.ndarray
    cust_rate: np.ndarray
    cust_size: np.ndarray
    cust_churn: np.ndarray
    cust_owner0: np.ndarray
    cust_owner1: np.ndarray
    cust_switch: np.ndarray
    cust_delay: np.ndarray
    cust_baddebt: np.ndarray

    def owner(self, cust: np.ndarray, dates: np.ndarray) -> np.ndarray:
        """Index of the rep who handles each customer on each date."""
        return np.where(dates >= self.cust_switch[cust], self.cust_owner1[cust],
                        self.cust_owner0[cust])


def _regions(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray | list]]:
    prov_rows = []
    for c_i, (_cid, _cname, provinces) in enumerate(_GEOGRAPHY):
        for pid, pname, town, pop_k, gdp, prefix in provinces:
            prov_rows.append((pid, pname, c_i, town, pop_k, gdp, prefix))
    n = len(prov_rows)
    pop = np.array([r[4] for r in prov_rows]) * 1000 + rng.integers(-499, 500, n)
    gdp = np.round(np.array([r[5] for r in prov_rows]) * (1 + rng.normal(0, 0.015, n)))
    hh_size = np.clip(2.5 + rng.normal(0, 0.08, n), 2.25, 2.75)
    households = np.round(pop / hh_size).astype(np.int64)
    retail = np.round(pop * gdp * 0.21 * rng.uniform(0.9, 1.1, n), -3)
    z = lambda x: (x - x.mean()) / x.std()  # noqa: E731
    score = 0.5 * z(np.log(retail)) + 0.3 * z(gdp) + 0.2 * z(np.log(households))
    order = np.argsort(-score, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    prov_comm = np.array([r[2] for r in prov_rows])

    comm_rows = []
    for c_i, (cid, cname, _p) in enumerate(_GEOGRAPHY):
        mask = prov_comm == c_i
        cpop = int(pop[mask].sum())
        comm_rows.append({
            "region_id": cid, "name": cname, "parent_id": None, "level": "region",
            "population": cpop,
            "gdp_per_capita": float(np.round((gdp[mask] * pop[mask]).sum() / cpop)),
            "households": int(households[mask].sum()),
            "retail_sales": float(retail[mask].sum()), "rank": pd.NA,
        })
    prov_frame = pd.DataFrame({
        "region_id": [r[0] for r in prov_rows],
        "name": [r[1] for r in prov_rows],
        "parent_id": [_GEOGRAPHY[r[2]][0] for r in prov_rows],
        "level": "province",
        "population": pop.astype(np.int64),
        "gdp_per_capita": gdp.astype(float),
        "households": households,
        "retail_sales": retail.astype(float),
        "rank": rank,
    })
    frame = pd.concat([pd.DataFrame(comm_rows), prov_frame], ignore_index=True)
    frame["population"] = frame["population"].astype(np.int64)
    frame["households"] = frame["households"].astype(np.int64)
    frame["rank"] = frame["rank"].astype("Int64")

    comm_ids = [g[0] for g in _GEOGRAPHY]
    penetration = np.array([_PENETRATION[comm_ids[c]] for c in prov_comm])
    weight = (pop / 1e6) ** 0.9 * (gdp / 25000.0) ** 0.7 * penetration
    info = {
        "prov_ids": np.array([r[0] for r in prov_rows], dtype=object),
        "prov_comm": prov_comm,
        "prov_weight": weight / weight.sum(),
        "prov_attr": score / score.std(),
        "prov_town": [r[3] for r in prov_rows],
        "prov_prefix": [r[6] for r in prov_rows],
        "comm_ids": comm_ids,
    }
    return frame, info


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    f = rng.integers(len(_FIRST_NAMES), size=n)
    s1 = rng.integers(len(_SURNAMES), size=n)
    s2 = rng.integers(len(_SURNAMES), size=n)
    return [f"{_FIRST_NAMES[a]} {_SURNAMES[b]} {_SURNAMES[c]}" for a, b, c in zip(f, s1, s2,
                                                                                   strict=True)]


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 1) -> np.ndarray:
    base = np.full(len(weights), minimum)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    counts = base + np.floor(share).astype(int)
    left = total - counts.sum()
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    counts[order[:left]] += 1
    return counts


def _reps(rng: np.random.Generator, cal: _Calendar, info: dict, scale: float) -> dict:
    n_comm = len(info["comm_ids"])
    n_reps = max(14, round(25 * scale))
    n_new = max(3, round(3.6 * scale))
    n_leave = max(1, round(scale))
    n_exist = n_reps - n_new
    comm_weight = np.bincount(info["prov_comm"], weights=info["prov_weight"], minlength=n_comm)
    per_comm = _largest_remainder(comm_weight, n_exist)
    comm = np.repeat(np.arange(n_comm), per_comm)
    hire = _roll(_uniform_dates(rng, cal.start - 3650, cal.start - 60, n_exist), cal.busdaycal)
    leave = np.full(n_exist, np.datetime64("NaT"), dtype="datetime64[D]")
    eligible = np.flatnonzero(per_comm[comm] >= 2)
    leavers = np.sort(rng.choice(eligible, size=min(n_leave, len(eligible)), replace=False))
    leave[leavers] = cal.end - rng.integers(40, 110, len(leavers))

    # New hires: the first ones replace the leavers (hired a few weeks before the hand-over).
    new_comm = np.empty(n_new, dtype=int)
    new_hire = np.empty(n_new, dtype="datetime64[D]")
    nl = len(leavers)
    new_comm[:nl] = comm[leavers]
    new_hire[:nl] = leave[leavers] - rng.integers(14, 45, nl)
    new_comm[nl:] = _choice_index(rng, comm_weight, n_new - nl)
    new_hire[nl:] = cal.end - rng.integers(25, 180, n_new - nl)
    new_hire = _roll(new_hire, cal.busdaycal)

    comm = np.concatenate([comm, new_comm])
    hire = np.concatenate([hire, new_hire])
    leave = np.concatenate([leave, np.full(n_new, np.datetime64("NaT"), dtype="datetime64[D]")])
    is_new = np.r_[np.zeros(n_exist, bool), np.ones(n_new, bool)]
    replaces = np.full(n_reps, -1)
    replaces[n_exist:n_exist + nl] = leavers

    activity = np.exp(rng.normal(0, 0.3, n_reps))
    discipline = np.clip(rng.normal(78, 10, n_reps), 40, 98)
    tenured_stayers = np.flatnonzero(~is_new & np.isnat(leave))
    n_lazy = min(len(tenured_stayers), max(2, round(2 * scale)))
    lazy = rng.choice(tenured_stayers, size=n_lazy, replace=False)
    activity[lazy] = rng.uniform(0.2, 0.35, n_lazy)
    discipline[lazy] = rng.uniform(45, 60, n_lazy)
    pace_pool = np.setdiff1d(tenured_stayers, lazy)
    n_pace = min(len(pace_pool), max(2, round(3 * scale)) - 1)
    pacing = np.zeros(n_reps, bool)
    pacing[rng.choice(pace_pool, size=n_pace, replace=False)] = True
    pacing[lazy[0]] = True  # one of the quiet reps is also behind on sales

    # Ids follow the hiring order, so the newest reps have the highest ids.
    order = np.lexsort((np.arange(n_reps), hire))
    inverse = np.empty(n_reps, dtype=int)
    inverse[order] = np.arange(n_reps)
    width = max(3, len(str(n_reps)))
    names = _person_names(rng, n_reps)
    return {
        "rep_ids": _ids("R", np.arange(1, n_reps + 1), width),
        "rep_comm": comm[order],
        "rep_hire": hire[order],
        "rep_leave": leave[order],
        "rep_activity": activity[order],
        "rep_discipline": discipline[order],
        "rep_pacing": pacing[order],
        "rep_new": is_new[order],
        "rep_replaces": np.where(replaces[order] >= 0, inverse[np.maximum(replaces[order], 0)],
                                 -1),
        "rep_names": [names[i] for i in order],
        "rep_capacity": np.where(is_new, rng.integers(20, 36, n_reps),
                                 rng.integers(25, 61, n_reps))[order],
    }


def _products(rng: np.random.Generator, cal: _Calendar) -> dict:
    n = len(_CATALOGUE)
    cat = np.array([c for c, _n, _p in _CATALOGUE])
    names = [name for _c, name, _p in _CATALOGUE]
    price = np.array([p for _c, _n, p in _CATALOGUE])
    cost = np.round(price * rng.uniform(0.42, 0.68, n), 2)
    launch = _roll(_uniform_dates(rng, cal.start - 4320, cal.start - 400, n),
                   cal.busdaycal)
    for name, offset in _LAUNCHES.items():  # launches happen on the first of a month
        month = cal.months[0] + offset if offset >= 0 else cal.end_month + offset
        launch[names.index(name)] = month.astype("datetime64[D]")
    launch[names.index(_DECLINING)] = (cal.months[0] - 176).astype("datetime64[D]")
    weight = np.exp(rng.normal(0, 0.45, n)) * (price / 500.0) ** -0.3
    decline = np.zeros(n)
    decline[names.index(_DECLINING)] = 0.6
    frame = pd.DataFrame({
        "product_id": _ids("P", np.arange(1, n + 1), 3),
        "name": names,
        "category": [_CATEGORIES[c] for c in cat],
        "unit_price": price,
        "unit_cost": cost,
        "launch_date": launch,
    })
    return {"frame": frame, "prod_ids": frame["product_id"].to_numpy(), "prod_cat": cat,
            "prod_price": price, "prod_launch": launch, "prod_weight": weight,
            "prod_decline": decline}


def _unique_names(rng: np.random.Generator, channel: np.ndarray, town: list[str],
                  patterns: dict[int, tuple[tuple[str, ...], tuple[str, ...]]],
                  seen: set[str]) -> list[str]:
    """Company names whose core (without the legal form) is new to ``seen``."""
    draws = rng.integers(0, 2**31, size=(len(town), 2, 6)).tolist()
    out = []
    for ch, tw, rows in zip(channel.tolist(), town, draws, strict=True):
        cores, suffixes = patterns[ch]
        for r in rows:
            core = _fill(cores[r[0] % len(cores)], tw, r)
            key = _key(core)
            if key not in seen:
                break
        else:
            base = core if tw in core else f"{core} {tw}"
            core, k = base, 2
            while _key(core) in seen:
                core = f"{base} {k}"
                k += 1
            key = _key(core)
        seen.add(key)
        out.append(f"{core} {suffixes[rows[0][5] % len(suffixes)]}".strip())
    return out


def _customers(rng: np.random.Generator, cal: _Calendar, info: dict, reps: dict,
               scale: float) -> dict:
    n = max(30, round(1000 * scale))
    prov = _choice_index(rng, info["prov_weight"], n)
    comm = info["prov_comm"][prov]
    in_history = rng.random(n) < 0.18
    created = np.where(
        in_history,
        _uniform_dates(rng, cal.start, cal.end - 14, n),
        _uniform_dates(rng, cal.start - 5783, cal.start - 1, n),  # since ~2008
    )
    created = _roll(created, cal.busdaycal)
    # Channel mix drifts from family stores to distributors and franchises.
    epoch = cal.start - 5783
    t = np.clip((created - epoch).astype(float) / (cal.end - epoch).astype(float), 0, 1)
    old = np.array([0.08, 0.62, 0.1, 0.08, 0.12])
    new = np.array([0.34, 0.2, 0.14, 0.24, 0.08])
    probs = old[None, :] * (1 - t[:, None]) + new[None, :] * t[:, None]
    cum = probs.cumsum(axis=1)
    channel = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), 4)

    rate = _ORDER_RATE[channel] * np.exp(rng.normal(-0.18, 0.6, n))
    size = np.exp(rng.normal(-0.08, 0.4, n))
    # Churn: stores close more often; the churn month is when orders stop.
    churn_p = np.array([0.06, 0.24, 0.1, 0.08, 0.15])[channel]
    created_m = np.maximum(
        (created.astype("datetime64[M]") - cal.months[0]).astype(int), 0)
    lo = np.maximum(created_m + 4, 3)
    hi = HISTORY_MONTHS - 2
    churn = np.full(n, HISTORY_MONTHS + 99)
    can = (rng.random(n) < churn_p) & (lo < hi)
    churn[can] = lo[can] + np.floor(rng.random(can.sum()) * (hi - lo[can])).astype(int)

    # Ownership: a tenured rep of the community; leavers hand over to their replacement,
    # new hires take over part of the community's accounts on their hire date.
    n_reps = len(reps["rep_ids"])
    tenured = ~reps["rep_new"]
    owner0 = np.empty(n, dtype=int)
    for c in range(len(info["comm_ids"])):
        members = np.flatnonzero(comm == c)
        pool = np.flatnonzero(tenured & (reps["rep_comm"] == c))
        owner0[members] = pool[rng.integers(len(pool), size=len(members))]
    owner1 = owner0.copy()
    switch = np.full(n, _FAR_FUTURE)
    for r in range(n_reps):
        left = reps["rep_replaces"][r]
        if left >= 0:
            mine = owner0 == left
            owner1[mine] = r
            switch[mine] = reps["rep_leave"][left] + 1
    team = np.bincount(reps["rep_comm"], minlength=len(info["comm_ids"]))
    for r in np.flatnonzero(reps["rep_new"] & (reps["rep_replaces"] < 0)):
        share = 0.6 / team[reps["rep_comm"][r]]  # about 60 % of an average book
        pool = np.flatnonzero((comm == reps["rep_comm"][r]) & (switch == _FAR_FUTURE)
                              & (rng.random(n) < share))
        owner1[pool] = r
        switch[pool] = reps["rep_hire"][r]
    # Accounts opened after the switch belong to the new owner from day one.
    late = created >= switch
    owner0[late] = owner1[late]
    switch[late] = _FAR_FUTURE

    # Payment behaviour: days paid after the due date (customer mean), bad debt chance.
    payer = _choice_index(rng, np.array([0.68, 0.25, 0.07]), n)
    delay = np.array([-3.0, 22.0, 65.0])[payer] + rng.normal(0, 4, n)
    baddebt = np.array([0.001, 0.004, 0.03])[payer]

    town = [info["prov_town"][p] for p in prov]
    names = _unique_names(rng, channel, town, _NAME_PATTERNS, set())
    phone = _phones(rng, [info["prov_prefix"][p] for p in prov])
    email_user = ("pedidos", "info", "compras", "administracion")
    eu = rng.integers(len(email_user), size=n)
    email = [f"{email_user[e]}@{_slug(_LEGAL_FORM.sub('', nm))}.es" for e, nm in zip(
        eu.tolist(), names, strict=True)]
    width = max(4, len(str(n)))
    ids = _ids("C", np.arange(1, n + 1), width)
    # Ids follow the creation date (oldest accounts first).
    order = np.lexsort((np.arange(n), created))
    names_o = [names[i] for i in order]
    phone_o = [phone[i] for i in order]
    email_o = [email[i] for i in order]
    frame = pd.DataFrame({
        "customer_id": ids,
        "name": names_o,
        "channel": np.array(_CHANNELS, dtype=object)[channel[order]],
        "region_id": info["prov_ids"][prov[order]],
        "rep_id": reps["rep_ids"][owner1[order]],
        "created_date": created[order],
        "phone": phone_o,
        "email": email_o,
    })
    return {
        "frame": frame, "cust_ids": ids, "cust_names": names_o, "cust_phone": phone_o,
        "cust_channel": channel[order], "cust_prov": prov[order], "cust_created": created[order],
        "cust_rate": rate[order], "cust_size": size[order], "cust_churn": churn[order],
        "cust_owner0": owner0[order], "cust_owner1": owner1[order], "cust_switch": switch[order],
        "cust_delay": delay[order], "cust_baddebt": baddebt[order],
    }


# --------------------------------------------------------------------------------------
# Leads
# --------------------------------------------------------------------------------------


def _pick_reps(rng: np.random.Generator, w: _World, comm: np.ndarray, lo: np.ndarray,
               hi: np.ndarray) -> np.ndarray:
    """A random rep of each community employed on every day of [lo, hi]."""
    n = len(comm)
    order = np.argsort(w.rep_comm, kind="stable")
    counts = np.bincount(w.rep_comm, minlength=len(w.comm_ids))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    leave = np.where(np.isnat(w.rep_leave), _FAR_FUTURE, w.rep_leave)
    out = np.full(n, -1)
    todo = np.arange(n)
    for _ in range(12):
        if not len(todo):
            break
        c = comm[todo]
        pick = order[starts[c] + np.floor(rng.random(len(todo)) * counts[c]).astype(int)]
        ok = (w.rep_hire[pick] <= lo[todo]) & (leave[pick] >= hi[todo])
        out[todo[ok]] = pick[ok]
        todo = todo[~ok]
    for i in todo:  # rare: fall back to a scan of the community
        cands = np.flatnonzero((w.rep_comm == comm[i]) & (w.rep_hire <= lo[i])
                               & (leave >= hi[i]))
        out[i] = cands[0] if len(cands) else -1
    return out


def _lead_attributes(rng: np.random.Generator, channel: np.ndarray, n: int) -> dict:
    inv_scale = np.array([2.0, 0.6, 1.6, 1.3, 0.9])[channel]
    investment = np.clip(np.exp(rng.normal(np.log(60000), 0.85, n)) * inv_scale, 5000, 2.5e6)
    investment = np.round(investment / 500) * 500
    employees = np.maximum(1, np.round(np.exp(0.6 * np.log(investment / 60000)
                                              + rng.normal(np.log(12), 0.7, n)))).astype(np.int64)
    return {
        "est_investment": investment,
        "employees": employees,
        "foreign_investor": rng.random(n) < 0.34,
        "exclusive_interest": rng.random(n) < 0.3,
        "source": _choice_index(rng, _SOURCE_P, n),
    }


def _emails(rng: np.random.Generator, companies: list[str], contacts: list[str | None]) -> list:
    kind = rng.integers(0, 6, len(companies))
    out: list[str | None] = []
    for k, comp, person in zip(kind.tolist(), companies, contacts, strict=True):
        dom = _slug(re.sub(r"\s(S\.L\.U\.|S\.L\.|S\.A\.|C\.B\.)$", "", comp))
        if k == 0:
            out.append(None)
        elif k in (1, 2) and person:
            parts = _ascii(person).lower().split()
            out.append(f"{parts[0]}.{parts[1]}@{dom}.es")
        elif k == 3 and person:
            parts = _ascii(person).lower().split()
            out.append(f"{parts[0][0]}{parts[1]}@gmail.com")
        else:
            out.append(f"info@{dom}.{'com' if k == 5 else 'es'}")
    return out


def _leads(rng: np.random.Generator, w: _World, scale: float) -> tuple[pd.DataFrame, dict]:
    cal = w.cal
    n = max(50, round(2500 * scale))
    n_open = round(0.8 * n)
    n_closed = n - n_open
    n_dup = round(0.04 * n)
    n_cdup = round(0.016 * n)
    n_fresh_open = n_open - n_dup - n_cdup
    n_base = n_closed + n_fresh_open

    # Prospects are spread by population and wealth, not by the company's own presence.
    pop_w = np.asarray(w.prov_weight) / np.array(
        [_PENETRATION[w.comm_ids[c]] for c in w.prov_comm])
    prov = _choice_index(rng, pop_w, n_base)
    channel = _choice_index(rng, _LEAD_CHANNEL_P, n_base)
    attrs = _lead_attributes(rng, channel, n_base)
    closed = np.r_[np.ones(n_closed, bool), np.zeros(n_fresh_open, bool)]
    created = np.where(
        closed,
        _uniform_dates(rng, cal.start, cal.end - 20, n_base),
        np.where(rng.random(n_base) < 0.75,
                 _uniform_dates(rng, cal.end - 270, cal.end, n_base),
                 _uniform_dates(rng, cal.end - 900, cal.end - 271, n_base)),
    )
    lag = 5 + np.round(rng.gamma(2.0, 18.0, n_base)).astype(np.int64)
    closed_date = np.where(closed, np.minimum(created + lag, cal.end),
                           np.datetime64("NaT", "D"))
    # The conversion signal: what makes a lead likely to be won.
    logit = (-1.5 + 0.7 * np.log(attrs["est_investment"] / 60000)
             + 1.3 * attrs["exclusive_interest"] + _SOURCE_EFFECT[attrs["source"]]
             + _LEAD_CHANNEL_EFFECT[channel] + 0.6 * w.prov_attr[prov]
             + 0.25 * attrs["foreign_investor"] + rng.normal(0, 0.3, n_base))
    won = closed & (rng.random(n_base) < 1 / (1 + np.exp(-logit)))
    status = np.where(closed, np.where(won, "won", "lost"), "open").astype(object)
    lost_reason = np.where(closed & ~won, np.array(_LOST_REASONS, dtype=object)[
        _choice_index(rng, _LOST_P, n_base)], None)
    comm = w.prov_comm[prov]
    rep = np.full(n_base, -1)
    idx = np.flatnonzero(closed)
    rep[idx] = _pick_reps(rng, w, comm[idx], created[idx], closed_date[idx])
    idx = np.flatnonzero(~closed & (rng.random(n_base) < 0.25))
    rep[idx] = _pick_reps(rng, w, comm[idx], np.maximum(created[idx], cal.end - 400),
                          np.full(len(idx), cal.end))
    foreign = attrs["foreign_investor"]
    contacts: list[str | None] = []
    local = _person_names(rng, n_base)
    fpick = rng.integers(len(_FOREIGN_NAMES), size=n_base)
    nocontact = rng.random(n_base) < 0.08
    for i in range(n_base):
        if nocontact[i]:
            contacts.append(None)
        elif foreign[i] and fpick[i] % 2 == 0:
            contacts.append(_FOREIGN_NAMES[fpick[i]])
        else:
            contacts.append(" ".join(local[i].split()[:2]))
    towns = [w.prov_town[p] for p in prov]
    seen = {_key(name) for name in w.cust_names}
    company = _unique_names(rng, channel, towns, _LEAD_PATTERNS, seen)
    digits = _phones(rng, [w.prov_prefix[p] for p in prov])
    styles = _choice_index(rng, np.array([0.3, 0.3, 0.1, 0.15, 0.1, 0.05]), n_base)
    phone: list[str | None] = [_format_phone(d, s) for d, s in zip(digits, styles.tolist(),
                                                                   strict=True)]
    nophone = np.flatnonzero(rng.random(n_base) < 0.05)
    for i in nophone:
        phone[i] = None
    email = _emails(rng, company, contacts)
    base = {
        "company": company, "contact_name": contacts, "phone": phone, "email": email,
        "channel": channel, "prov": prov, "source": attrs["source"], "created": created,
        "status": status, "closed": closed_date, "lost_reason": lost_reason, "rep": rep,
        "est_investment": attrs["est_investment"], "employees": attrs["employees"],
        "foreign_investor": foreign, "exclusive_interest": attrs["exclusive_interest"],
    }

    # Duplicates of other leads: the same company typed again, later, often by another hand.
    src = rng.choice(n_base, size=n_dup, replace=False) if n_dup <= n_base else np.zeros(0, int)
    vkind = rng.integers(0, 5, n_dup)
    pstyle = rng.integers(0, 6, n_dup)
    d_created = np.minimum(created[src] + rng.integers(10, 200, n_dup), cal.end)
    dup = {
        "company": [_variant(company[s], k) for s, k in zip(src.tolist(), vkind.tolist(),
                                                            strict=True)],
        "contact_name": [contacts[s] if r < 0.7 else None
                         for s, r in zip(src.tolist(), rng.random(n_dup).tolist(), strict=True)],
        "phone": [_format_phone(digits[s], (st if st != styles[s] else (st + 1) % 6))
                  if r < 0.85 else None
                  for s, st, r in zip(src.tolist(), pstyle.tolist(), rng.random(n_dup).tolist(),
                                      strict=True)],
        "email": [email[s] if r < 0.6 else None
                  for s, r in zip(src.tolist(), rng.random(n_dup).tolist(), strict=True)],
        "channel": channel[src], "prov": prov[src],
        "source": _choice_index(rng, _SOURCE_P, n_dup), "created": d_created,
        "status": np.full(n_dup, "open", dtype=object),
        "closed": np.full(n_dup, np.datetime64("NaT"), dtype="datetime64[D]"),
        "lost_reason": np.full(n_dup, None, dtype=object),
        "rep": np.full(n_dup, -1),
        "est_investment": attrs["est_investment"][src], "employees": attrs["employees"][src],
        "foreign_investor": foreign[src], "exclusive_interest": attrs["exclusive_interest"][src],
    }
    with_rep = np.flatnonzero(rng.random(n_dup) < 0.2)
    dup["rep"][with_rep] = _pick_reps(rng, w, w.prov_comm[prov[src[with_rep]]],
                                      np.maximum(d_created[with_rep], cal.end - 400),
                                      np.full(len(with_rep), cal.end))

    # Leads that are already customers (the list came from a fair or a purchased file).
    n_cust = len(w.cust_ids)
    csrc = rng.choice(n_cust, size=min(n_cdup, n_cust), replace=False)
    n_cdup = len(csrc)
    c_attr = _lead_attributes(rng, w.cust_channel[csrc], n_cdup)
    vk = rng.integers(0, 8, n_cdup)
    cst = rng.integers(0, 6, n_cdup)
    c_created = _uniform_dates(rng, cal.end - 300, cal.end, n_cdup)
    c_contacts = [" ".join(p.split()[:2]) for p in _person_names(rng, n_cdup)]
    cdup = {
        "company": [w.cust_names[s] if k >= 5 else _variant(w.cust_names[s], k)
                    for s, k in zip(csrc.tolist(), vk.tolist(), strict=True)],
        "contact_name": c_contacts,
        "phone": [_format_phone(w.cust_phone[s], st if st != 1 else 0)
                  for s, st in zip(csrc.tolist(), cst.tolist(), strict=True)],
        "email": [None] * n_cdup,
        "channel": w.cust_channel[csrc], "prov": w.cust_prov[csrc],
        "source": c_attr["source"], "created": c_created,
        "status": np.full(n_cdup, "open", dtype=object),
        "closed": np.full(n_cdup, np.datetime64("NaT"), dtype="datetime64[D]"),
        "lost_reason": np.full(n_cdup, None, dtype=object),
        "rep": np.full(n_cdup, -1),
        "est_investment": c_attr["est_investment"], "employees": c_attr["employees"],
        "foreign_investor": c_attr["foreign_investor"],
        "exclusive_interest": c_attr["exclusive_interest"],
    }

    parts = (base, dup, cdup)
    cols = {k: np.concatenate([np.asarray(p[k], dtype=object if isinstance(p[k], list) else None)
                               for p in parts]) for k in base}
    total = len(cols["created"])
    created_all = cols["created"].astype("datetime64[D]")
    order = np.lexsort((rng.random(total), created_all))
    cols = {k: v[order] for k, v in cols.items()}
    width = max(5, len(str(total)))
    lead_ids = _ids("L", np.arange(1, total + 1), width)
    rep_all = cols["rep"].astype(int)
    frame = pd.DataFrame({
        "lead_id": lead_ids,
        "company": cols["company"],
        "contact_name": cols["contact_name"],
        "phone": cols["phone"],
        "email": cols["email"],
        "channel": np.array(_CHANNELS, dtype=object)[cols["channel"].astype(int)],
        "region_id": w.prov_ids[cols["prov"].astype(int)],
        "source": np.array(_SOURCES, dtype=object)[cols["source"].astype(int)],
        "created_date": cols["created"].astype("datetime64[D]"),
        "status": cols["status"],
        "closed_date": cols["closed"].astype("datetime64[D]"),
        "lost_reason": cols["lost_reason"],
        "rep_id": np.where(rep_all >= 0, w.rep_ids[np.maximum(rep_all, 0)], None),
        "est_investment": cols["est_investment"].astype(float),
        "employees": cols["employees"].astype(np.int64),
        "foreign_investor": cols["foreign_investor"].astype(bool),
        "exclusive_interest": cols["exclusive_interest"].astype(bool),
    })
    sim = {
        "rep": rep_all,
        "created": cols["created"].astype("datetime64[D]"),
        "closed": cols["closed"].astype("datetime64[D]"),
        "status": cols["status"],
    }
    return frame, sim


def _lead_activities(rng: np.random.Generator, w: _World, lead_sim: dict) -> dict:
    """Contacts with leads: several before a lead closes, a few on assigned open leads."""
    rep = lead_sim["rep"]
    status = lead_sim["status"]
    closed = (status != "open") & (rep >= 0)
    open_assigned = np.flatnonzero((status == "open") & (rep >= 0))
    touched = open_assigned[rng.random(len(open_assigned)) < 0.35]
    idx_c = np.flatnonzero(closed)
    effort = w.rep_activity[rep]  # quiet reps also work their leads less
    n_c = 1 + rng.poisson(np.where(status[idx_c] == "won", 3.0, 1.5) * effort[idx_c])
    n_o = 1 + rng.poisson(0.4 * effort[touched])
    lead = np.r_[np.repeat(idx_c, n_c), np.repeat(touched, n_o)]
    lo = lead_sim["created"][lead]
    hi = np.where(np.isnat(lead_sim["closed"][lead]), w.cal.end, lead_sim["closed"][lead])
    r = rep[lead]
    lo = np.maximum(lo, w.rep_hire[r])
    date = _uniform_dates(rng, lo, hi, len(lead))
    kind = _choice_index(rng, np.array([0.55, 0.12, 0.08, 0.25]), len(lead))
    return {"date": date, "rep": r, "lead": lead, "kind": kind}


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _two_decimals(values: np.ndarray) -> np.ndarray:
    """Numbers as text with two decimals (None for NaN), vectorised."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return np.empty(0, dtype=object)
    nan = np.isnan(x)
    cents = np.round(np.where(nan, 0.0, x) * 100).astype(np.int64)
    mag = np.abs(cents)
    text = np.char.add(np.char.add((mag // 100).astype(str), "."),
                       np.char.zfill((mag % 100).astype(str), 2))
    text = np.where(cents < 0, np.char.add("-", text), text).astype(object)
    text[nan] = None
    return text


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text, floats with two decimals, booleans as true/false; None if missing."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            arr = s.to_numpy().astype("datetime64[D]")
            txt = np.datetime_as_string(arr, unit="D").astype(object)
            txt[np.isnat(arr)] = None
            out[col] = txt
        elif pd.api.types.is_float_dtype(s.dtype):
            out[col] = _two_decimals(s.to_numpy())
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = np.where(s.to_numpy(dtype=bool), "true", "false")
        else:
            out[col] = s
    return pd.DataFrame(out, index=frame.index)


def _columns(table: str, frame: pd.DataFrame) -> list[str]:
    declared = TABLES[table].column_names
    missing = [c for c in TABLES[table].required_columns if c not in frame.columns]
    if missing:  # pragma: no cover - a bug in this module
        raise AssertionError(f"sample table {table} lacks {missing}")
    return [c for c in declared if c in frame.columns] + [
        c for c in frame.columns if c not in declared]


class _CsvWriter:
    """Write one table, possibly in chunks, to ``<table>.csv`` (via a temporary name)."""

    def __init__(self, folder: Path, table: str) -> None:
        self.table = table
        self.path = folder / f"{table}.csv"
        self.tmp = folder / f".{table}.csv.part"
        self.fh: IO[str] = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.cols: list[str] | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if self.cols is None:
            self.cols = _columns(self.table, frame)
            header = True
        else:
            header = False
        _text_frame(frame[self.cols]).to_csv(
            self.fh, header=header, index=False, lineterminator="\n")

    def close(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        if self.tmp.exists():
            self.tmp.unlink()


def _write_table(folder: Path, table: str, frame: pd.DataFrame) -> None:
    writer = _CsvWriter(folder, table)
    try:
        writer.write(frame)
    except BaseException:
        writer.abort()
        raise
    writer.close()


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------
# The monthly simulation: orders, invoices, activities, complaints
# --------------------------------------------------------------------------------------


def _promotions(cal: _Calendar) -> dict[int, str]:
    """Month index -> promotion code (spring, Black Friday, summer sales)."""
    out = {}
    for m, month in enumerate(cal.months):
        y, mo = int(str(month)[:4]), int(str(month)[5:7])
        yy = f"{y % 100:02d}"
        if mo == (3 if y % 2 == 0 else 4):
            out[m] = f"PRIMAVERA{yy}"
        elif mo == 11:
            out[m] = f"BLACKFRIDAY{yy}"
        elif mo == 7:
            out[m] = f"REBAJAS{yy}"
    return out


def _product_cdf(w: _World, m: int) -> np.ndarray:
    """Cumulative product-choice probabilities per channel for month ``m``."""
    moy = int(str(w.cal.months[m])[5:7]) - 1
    mid = w.cal.month_start(m) + 14
    t = float(w.cal.years(mid))
    launched = w.prod_launch <= w.cal.month_start(m)  # on sale from the first order date
    weight = w.prod_weight * launched * np.exp(-w.prod_decline * t)
    # Fresh launches sell at full speed after a few months.
    age = (mid - w.prod_launch).astype(float) / 30.4
    weight = weight * np.where(age < 4, 0.4 + 0.15 * np.maximum(age, 0), 1.0)
    n_cat = len(_CATEGORIES)
    cat_sum = np.bincount(w.prod_cat, weights=weight, minlength=n_cat)
    share = _CHANNEL_MIX * _SEASON[:, moy][None, :]
    share = share * (cat_sum > 0)[None, :]
    p = share[:, w.prod_cat] * (weight / np.where(cat_sum > 0, cat_sum, 1.0)[w.prod_cat])[None, :]
    p = p / p.sum(axis=1, keepdims=True)
    cdf = p.cumsum(axis=1)
    cdf[:, -1] = 1.0
    return cdf


def _simulate(rng: np.random.Generator, w: _World, folder: Path, lead_acts: dict) -> dict:
    cal = w.cal
    n_months = HISTORY_MONTHS
    promos = _promotions(cal)
    comm_growth = np.array([_GROWTH[c] for c in w.comm_ids])
    cust_comm = w.prov_comm[w.cust_prov]
    price_year = {}
    end_year = int(str(cal.end_month)[:4])
    season_ch = _CHANNEL_MIX @ _SEASON  # channel x month-of-year
    unit_factor = np.minimum(1.0, (800.0 / w.prod_price) ** 0.4)

    orders = _CsvWriter(folder, "orders")
    invoices = _CsvWriter(folder, "invoices")
    activities = _CsvWriter(folder, "activities")
    writers = (orders, invoices, activities)
    order_no = invoice_no = activity_no = 0
    pending = {k: np.zeros(0, dt) for k, dt in (
        ("date", "datetime64[D]"), ("cust", int), ("prod", int), ("qty", np.int64),
        ("price", float), ("disc", float))}
    complaints: list[dict] = []
    la_order = np.argsort(lead_acts["date"], kind="stable")
    lead_acts = {k: v[la_order] for k, v in lead_acts.items()}
    la_month = (lead_acts["date"].astype("datetime64[M]") - cal.months[0]).astype(int)
    try:
        for m in range(n_months):
            ms, me = cal.month_start(m), cal.month_end(m)
            days = np.arange(ms, me + 1)
            wd = days[np.is_busday(days, busdaycal=w.busdaycal)]
            mid = ms + 14
            t = float(cal.years(mid))
            moy = int(str(cal.months[m])[5:7]) - 1
            year = int(str(cal.months[m])[:4])
            if year not in price_year:
                price_year[year] = 1.02 ** (year - end_year)
            promo = promos.get(m)

            # ---- sales orders ------------------------------------------------------
            exists = w.cust_created <= me
            idx = np.flatnonzero(exists & (m < w.cust_churn))
            ch = w.cust_channel[idx]
            owner_mid = w.owner(idx, np.full(len(idx), mid))
            rate = (w.cust_rate[idx] * season_ch[ch, moy]
                    * (1 + _CHANNEL_TREND[ch]) ** t * (1 + comm_growth[cust_comm[idx]]) ** t)
            rate *= np.clip((me - w.cust_created[idx] + 1).astype(float) / len(days), 0, 1)
            to_churn = w.cust_churn[idx] - m
            rate *= np.where(to_churn <= 3, 0.35 + 0.15 * (to_churn - 1), 1.0)
            if promo:
                rate *= 1.25
            if m >= n_months - 3:
                rate *= np.where(w.rep_pacing[owner_mid], 0.55, 1.0)
            since = (mid - w.cust_switch[idx]).astype(float) / 30.4
            rate *= np.where((since >= 0) & (since < 3), 0.7 + 0.1 * since, 1.0)
            n_ord = rng.poisson(rate)
            o_cust = np.repeat(idx, n_ord)
            n_o = len(o_cust)
            o_date = wd[rng.integers(0, len(wd), n_o)]
            o_date = np.maximum(o_date, w.cust_created[o_cust])
            o_rep = w.owner(o_cust, o_date)

            o_ch = w.cust_channel[o_cust]
            n_lines = 1 + rng.poisson(_EXTRA_LINES[o_ch])
            l_ord = np.repeat(np.arange(n_o), n_lines)
            l_ch = o_ch[l_ord]
            cdf = _product_cdf(w, m)
            u = rng.random(len(l_ord))
            prod = np.empty(len(l_ord), dtype=np.int64)
            for c in range(len(_CHANNELS)):
                sel = l_ch == c
                prod[sel] = np.searchsorted(cdf[c], u[sel], side="left")
            prod = np.minimum(prod, len(w.prod_ids) - 1)
            # One line per product and order.
            key = l_ord.astype(np.int64) * len(w.prod_ids) + prod
            _, first = np.unique(key, return_index=True)
            keep = np.sort(first)
            l_ord, prod, l_ch = l_ord[keep], prod[keep], l_ch[keep]
            n_l = len(l_ord)
            l_cust = o_cust[l_ord]
            q = rng.geometric(_QTY_P[l_ch]) * w.cust_size[l_cust] * unit_factor[prod]
            if promo:
                q = q * 1.1
            qty = np.maximum(1, np.round(q)).astype(np.int64)
            price_cents = np.round(w.prod_price[prod] * price_year[year] * 100)
            price = price_cents / 100
            disc_pct = np.round(100 * (_BASE_DISCOUNT[l_ch] + rng.normal(0, 0.02, n_l)))
            on_promo = np.zeros(n_l, bool)
            if promo:
                on_promo = rng.random(n_l) < 0.7
                disc_pct = disc_pct + on_promo * rng.integers(6, 11, n_l)
            disc_pct = np.where((l_ch == _STORE) & (rng.random(n_l) < 0.3), 0, disc_pct)
            disc = np.clip(disc_pct, 0, 45) / 100
            net = np.round(qty * price * (1 - disc) * 100) / 100

            # ---- returns: some lines come back within a few weeks ---------------------
            ret = np.flatnonzero(rng.random(n_l) < 0.016)
            if len(ret):
                r_date = _roll(o_date[l_ord[ret]] + rng.integers(5, 45, len(ret)), w.busdaycal)
                new = {
                    "date": r_date, "cust": l_cust[ret], "prod": prod[ret],
                    "qty": -np.minimum(qty[ret], 1 + rng.poisson(0.3, len(ret))),
                    "price": price[ret], "disc": disc[ret],
                }
                pending = {k: np.concatenate([pending[k], new[k]]) for k in pending}
            due_now = pending["date"] <= me
            r = {k: v[due_now] for k, v in pending.items()}
            pending = {k: v[~due_now] for k, v in pending.items()}
            n_r = len(r["date"])
            r_rep = w.owner(r["cust"], r["date"])
            r_net = np.round(r["qty"] * r["price"] * (1 - r["disc"]) * 100) / 100

            # ---- order ids in date order --------------------------------------------
            all_date = np.r_[o_date, r["date"]]
            all_cust = np.r_[o_cust, r["cust"]]
            is_ret = np.r_[np.zeros(n_o, bool), np.ones(n_r, bool)]
            order = np.lexsort((np.arange(n_o + n_r), is_ret, all_cust, all_date))
            pos = np.empty(n_o + n_r, dtype=np.int64)
            pos[order] = np.arange(n_o + n_r)
            all_ids = _ids("O", order_no + 1 + np.arange(n_o + n_r), 7)
            order_no += n_o + n_r
            # line numbers within each order
            s_order = np.argsort(pos[l_ord], kind="stable")
            l_sorted = l_ord[s_order]
            starts = np.r_[0, np.flatnonzero(np.diff(l_sorted)) + 1]
            counts = np.diff(np.r_[starts, len(l_sorted)])
            line_no_sorted = np.arange(len(l_sorted)) - np.repeat(starts, counts) + 1
            line_no = np.empty(n_l, dtype=np.int64)
            line_no[s_order] = line_no_sorted
            promo_col = np.where(on_promo, promo, None) if promo else np.full(n_l, None)
            lines = pd.DataFrame({
                "order_id": np.r_[all_ids[pos[l_ord]], all_ids[pos[n_o + np.arange(n_r)]]],
                "line_no": np.r_[line_no, np.ones(n_r, np.int64)],
                "order_date": np.r_[o_date[l_ord], r["date"]],
                "customer_id": w.cust_ids[np.r_[l_cust, r["cust"]]],
                "rep_id": w.rep_ids[np.r_[o_rep[l_ord], r_rep]],
                "product_id": w.prod_ids[np.r_[prod, r["prod"]]],
                "quantity": np.r_[qty, r["qty"]],
                "unit_price": np.r_[price, r["price"]],
                "discount": np.r_[disc, r["disc"]],
                "net_amount": np.r_[net, r_net],
                "promo_code": np.r_[promo_col, np.full(n_r, None)],
            })
            sort_key = np.r_[pos[l_ord], pos[n_o + np.arange(n_r)]]
            lines = lines.iloc[np.lexsort((lines["line_no"].to_numpy(), sort_key))]
            orders.write(lines)

            # ---- invoices: one per sales order --------------------------------------
            amount = np.round(np.bincount(l_ord, weights=net, minlength=n_o), 2)
            inv_order = np.argsort(pos[:n_o], kind="stable")
            c = o_cust[inv_order]
            issue = o_date[inv_order]
            amt = amount[inv_order]
            due = issue + _TERMS[w.cust_channel[c]]
            delay = np.round(w.cust_delay[c] + rng.normal(0, 5, n_o)).astype(np.int64)
            paid = np.maximum(due + delay, issue + rng.integers(0, 8, n_o))
            unpaid = (paid > cal.end) | (rng.random(n_o) < w.cust_baddebt[c])
            recent = issue >= cal.end - 120
            partial = ~unpaid & recent & (rng.random(n_o) < 0.07)
            paid_amt = np.where(partial,
                                np.round(amt * rng.uniform(0.3, 0.8, n_o), 2), amt)
            inv = pd.DataFrame({
                "invoice_id": _ids("F", invoice_no + 1 + np.arange(n_o), 7),
                "customer_id": w.cust_ids[c],
                "issue_date": issue,
                "due_date": due,
                "amount": amt,
                "paid_date": np.where(unpaid, np.datetime64("NaT"), paid),
                "paid_amount": np.where(unpaid, np.nan, paid_amt),
                "order_id": all_ids[pos[inv_order]],
            })
            invoice_no += n_o
            invoices.write(inv)

            # ---- complaints ----------------------------------------------------------
            recent_m = m >= n_months - 6
            has_equipment = np.bincount(l_ord, weights=(w.prod_cat[prod] >= 4), minlength=n_o) > 0
            p_c = 0.011 * (1 + 0.6 * has_equipment) * (1.5 if recent_m else 1.0)
            hit = np.flatnonzero(rng.random(n_o) < p_c)
            if len(hit):
                first_line = np.full(n_o, -1)
                with_lines, at = np.unique(l_ord, return_index=True)  # line 1 of each order
                first_line[with_lines] = prod[at]
                complaints.append({
                    "cust": o_cust[hit], "prod": first_line[hit],
                    "opened": _roll(o_date[hit] + rng.integers(2, 25, len(hit)), w.busdaycal),
                    "cat": _choice_index(rng, _COMPLAINT_P_RECENT if recent_m else _COMPLAINT_P,
                                         len(hit)),
                    "sev": _choice_index(rng, np.array([0.45, 0.4, 0.15]), len(hit)),
                })

            # ---- activities: customer contacts plus this month's lead contacts ------
            live = np.flatnonzero(exists & (m < w.cust_churn + 3))
            a_rate = 0.33 * w.rep_activity[w.owner(live, np.full(len(live), mid))]
            n_act = rng.poisson(a_rate)
            a_cust = np.repeat(live, n_act)
            a_date = np.maximum(wd[rng.integers(0, len(wd), len(a_cust))],
                                w.cust_created[a_cust])
            a_rep = w.owner(a_cust, a_date)
            a_kind = _choice_index(rng, np.array([0.45, 0.25, 0.1, 0.2]), len(a_cust))
            a_out = _outcomes(rng, a_kind, _OUTCOMES_CUSTOMER)
            sel = la_month == m
            l_kind = lead_acts["kind"][sel]
            l_out = _outcomes(rng, l_kind, _OUTCOMES_LEAD)
            n_a = len(a_cust) + int(sel.sum())
            act = pd.DataFrame({
                "activity_date": np.r_[a_date, lead_acts["date"][sel]],
                "rep_id": w.rep_ids[np.r_[a_rep, lead_acts["rep"][sel]]],
                "customer_id": np.r_[w.cust_ids[a_cust], np.full(int(sel.sum()), None)],
                "lead_id": np.r_[np.full(len(a_cust), None), lead_acts["lead_id"][sel]],
                "kind": np.array(_KINDS, dtype=object)[np.r_[a_kind, l_kind]],
                "outcome": np.r_[a_out, l_out],
            })
            act = act.iloc[np.lexsort((np.arange(n_a), act["activity_date"].to_numpy()))]
            act.insert(0, "activity_id", _ids("A", activity_no + 1 + np.arange(n_a), 7))
            activity_no += n_a
            activities.write(act)
    except BaseException:
        for wr in writers:
            wr.abort()
        raise
    for wr in writers:
        wr.close()
    return {"complaints": complaints}


def _outcomes(rng: np.random.Generator, kind: np.ndarray, table: tuple) -> np.ndarray:
    out = np.empty(len(kind), dtype=object)
    for k, (labels, probs) in enumerate(table):
        mask = kind == k
        if mask.any():
            out[mask] = np.array(labels, dtype=object)[
                _choice_index(rng, np.array(probs), int(mask.sum()))]
    return out


def _complaints_frame(rng: np.random.Generator, w: _World, parts: list[dict]) -> pd.DataFrame:
    cal = w.cal
    if parts:
        c = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    else:
        c = {"cust": np.zeros(0, int), "prod": np.zeros(0, int),
             "opened": np.zeros(0, "datetime64[D]"), "cat": np.zeros(0, int),
             "sev": np.zeros(0, int)}
    keep = c["opened"] <= cal.end
    c = {k: v[keep] for k, v in c.items()}
    order = np.lexsort((np.arange(len(c["opened"])), c["opened"]))
    c = {k: v[order] for k, v in c.items()}
    n = len(c["opened"])
    sev = c["sev"]
    first = c["opened"] + rng.geometric(np.array([0.25, 0.35, 0.6])[sev]) - 1
    resolve_days = np.round(rng.gamma(2.0, np.array([9.0, 7.0, 5.0])[sev])).astype(np.int64)
    resolved = first + resolve_days
    stuck = rng.random(n) < 0.03
    no_first = first > cal.end
    no_res = (resolved > cal.end) | stuck
    cat = c["cat"]
    product = np.where(cat == _COMPLAINTS.index("billing"), -1, c["prod"])
    return pd.DataFrame({
        "complaint_id": _ids("Q", np.arange(1, n + 1), 6),
        "customer_id": w.cust_ids[c["cust"]],
        "product_id": np.where(product >= 0, w.prod_ids[np.maximum(product, 0)], None),
        "opened_date": c["opened"],
        "first_response_date": np.where(no_first, np.datetime64("NaT"), first),
        "resolved_date": np.where(no_res, np.datetime64("NaT"), resolved),
        "category": np.array(_COMPLAINTS, dtype=object)[cat],
        "severity": np.array(("low", "medium", "high"), dtype=object)[sev],
    })


def _rep_reports(rng: np.random.Generator, w: _World) -> pd.DataFrame:
    cal = w.cal
    rows_rep, rows_m = [], []
    hire_m = w.rep_hire.astype("datetime64[M]")
    leave_m = np.where(np.isnat(w.rep_leave), cal.end_month,
                       w.rep_leave.astype("datetime64[M]")).astype("datetime64[M]")
    for r in range(len(w.rep_ids)):
        months = cal.months[:-1]  # the last month's report is not due yet
        mask = (months >= hire_m[r]) & (months <= leave_m[r])
        rows_rep.append(np.full(mask.sum(), r))
        rows_m.append(months[mask])
    rep = np.concatenate(rows_rep)
    month = np.concatenate(rows_m)
    n = len(rep)
    period = month.astype("datetime64[D]")
    due = (month + 1).astype("datetime64[D]") + 4
    quality = (w.rep_discipline[rep] - 40) / 60  # 0 (poor) .. ~1 (good)
    missing = rng.random(n) < 0.02 + 0.16 * (1 - quality)
    late = rng.random(n) < 0.05 + 0.45 * (1 - quality)
    delay = np.where(late, 1 + rng.geometric(0.18, n), -rng.integers(0, 5, n))
    submitted = due + delay
    missing |= submitted > cal.end
    return pd.DataFrame({
        "rep_id": w.rep_ids[rep],
        "period_start": period,
        "due_date": due,
        "submitted_date": np.where(missing, np.datetime64("NaT"), submitted),
    })


def _evaluations(rng: np.random.Generator, w: _World) -> pd.DataFrame:
    cal = w.cal
    q_months = cal.months[(cal.months.astype(int) % 3 == 0)]
    q_months = q_months[(q_months + 2) <= cal.end_month]
    leave = np.where(np.isnat(w.rep_leave), _FAR_FUTURE, w.rep_leave)
    rows = []
    for q in q_months:
        q_start = q.astype("datetime64[D]")
        q_end = (q + 3).astype("datetime64[D]") - 1
        ok = np.flatnonzero((w.rep_hire <= q_end - 30) & (leave >= q_end))
        rows.append((np.full(len(ok), q_start), ok))
    period = np.concatenate([p for p, _ in rows]) if rows else np.zeros(0, "datetime64[D]")
    rep = np.concatenate([r for _, r in rows]) if rows else np.zeros(0, int)
    order = np.lexsort((period, rep))
    period, rep = period[order], rep[order]
    n = len(rep)
    discipline = np.clip(np.round(w.rep_discipline[rep] + rng.normal(0, 6, n)), 0, 100)
    responsiveness = np.clip(np.round(55 + 30 * np.minimum(w.rep_activity[rep], 1.3) / 1.3
                                      + rng.normal(0, 8, n)), 0, 100)
    return pd.DataFrame({
        "rep_id": w.rep_ids[rep],
        "period_start": period,
        "discipline": discipline.astype(float),
        "responsiveness": responsiveness.astype(float),
    })


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def generate(
    path: str | os.PathLike[str],
    *,
    scale: float = 1.0,
    seed: int = 0,
    end: str = "2026-10",
) -> Path:
    """Write the sample company *Muebles Ejemplo S.A.* as a folder of CSV files.

    One ``<table>.csv`` per table of :data:`salesnb.schema.TABLES` (UTF-8, ``\\n`` line
    endings, ISO dates, empty cells for missing values, money with two decimals, the
    contract's columns first and extra columns after them) plus ``dataset.toml``.
    Existing files of the same names are replaced; other files are left alone.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to write; created if missing.
    scale : float, default 1.0
        Size multiplier. At 1 the company has about 25 reps, 1,000 customers, 2,500
        leads and 45,000 order lines; regions and products do not scale.
    seed : int, default 0
        Seed of the random generator. The same ``seed``, ``scale`` and ``end`` always
        give byte-identical files.
    end : str, default "2026-10"
        Last month of history as ``"YYYY-MM"``; the data covers the 36 months up to and
        including it. The generator never looks at today's date.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    salesnb.errors.ParameterError
        If ``scale`` is not a positive number, ``seed`` not a non-negative integer,
        ``end`` not a ``"YYYY-MM"`` month, or ``path`` is an existing file.

    Examples
    --------
    >>> from salesnb.sample import generate
    >>> folder = generate("data/sample")  # doctest: +SKIP
    >>> big = generate("/tmp/big", scale=10, seed=1)  # doctest: +SKIP
    """
    scale = _check_scale(scale)
    seed = _check_seed(seed)
    end_month = _check_end(end)
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(
            f"The 'path' parameter must be a folder. Got {os.fspath(path)!r}, which is a file."
        )
    folder.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    cal = _Calendar(end_month)
    regions, info = _regions(rng)
    reps = _reps(rng, cal, info, scale)
    products = _products(rng, cal)
    customers = _customers(rng, cal, info, reps, scale)
    w = _World(
        cal=cal, busdaycal=cal.busdaycal,
        **info,
        **{k: v for k, v in reps.items() if k not in ("rep_names", "rep_capacity",
                                                      "rep_replaces")},
        **{k: v for k, v in products.items() if k != "frame"},
        **{k: v for k, v in customers.items() if k != "frame"},
    )
    leads, lead_sim = _leads(rng, w, scale)
    lead_acts = _lead_activities(rng, w, lead_sim)
    lead_acts["lead_id"] = leads["lead_id"].to_numpy()[lead_acts["lead"]]

    reps_frame = pd.DataFrame({
        "rep_id": w.rep_ids,
        "name": reps["rep_names"],
        "region_id": np.array(w.comm_ids, dtype=object)[w.rep_comm],
        "hire_date": w.rep_hire,
        "leave_date": w.rep_leave,
        "weekly_capacity": reps["rep_capacity"].astype(np.int64),
    })
    _write_table(folder, "regions", regions)
    _write_table(folder, "reps", reps_frame)
    _write_table(folder, "customers", customers["frame"])
    _write_table(folder, "products", products["frame"])
    _write_table(folder, "leads", leads)
    sim = _simulate(rng, w, folder, lead_acts)
    _write_table(folder, "complaints", _complaints_frame(rng, w, sim["complaints"]))
    _write_table(folder, "rep_reports", _rep_reports(rng, w))
    _write_table(folder, "evaluations", _evaluations(rng, w))

    first = str(cal.months[0])
    meta = {
        "name": COMPANY,
        "currency": "EUR",
        "country": "ES",
        "description": (
            "Fictional Spanish maker of furniture and hospitality equipment selling through "
            f"distributors, stores, malls and franchises; {HISTORY_MONTHS} months of history "
            f"from {first} to {end}. Invented data: any resemblance to real firms is chance."
        ),
        "generator": "salesnb.sample",
    }
    text = "".join(f"{k} = {_toml_str(v)}\n" for k, v in meta.items())
    text += f"seed = {seed}\nscale = {scale!r}\nend = {_toml_str(end)}\n"
    tmp = folder / ".dataset.toml.part"
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, folder / "dataset.toml")
    return folder
