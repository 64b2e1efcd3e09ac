-- Held-out corpus schema: small e-commerce / SaaS application
CREATE TYPE customer_status AS ENUM ('active', 'suspended', 'closed');
CREATE TYPE order_status AS ENUM ('cart', 'placed', 'paid', 'shipped', 'delivered', 'cancelled');
CREATE DOMAIN email_address AS text NOT NULL CHECK (VALUE LIKE '%@%');
CREATE DOMAIN sku_code AS text NOT NULL CHECK (VALUE ~ '^[A-Z]{3}-[0-9]{4}$');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);

CREATE TABLE customers (
    id            serial PRIMARY KEY,
    email         email_address UNIQUE,
    full_name     text NOT NULL,
    phone         text,
    country       char(2),
    referred_by   integer REFERENCES customers(id),
    status        customer_status NOT NULL DEFAULT 'active',
    created_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    credit_limit  numeric(12,2) CHECK (credit_limit >= 0)
);

CREATE TABLE addresses (
    id           serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES customers(id),
    line1        text NOT NULL,
    line2        text,
    city         text NOT NULL,
    postal_code  text,
    country      char(2) NOT NULL,
    is_default   boolean NOT NULL DEFAULT false
);

CREATE TABLE categories (
    id         serial PRIMARY KEY,
    parent_id  integer REFERENCES categories(id),
    name       text NOT NULL,
    slug       text NOT NULL UNIQUE,
    position   integer
);

CREATE TABLE suppliers (
    id             serial PRIMARY KEY,
    name           text NOT NULL,
    contact_email  text,
    country        char(2)
);

CREATE TABLE products (
    id                serial PRIMARY KEY,
    sku               sku_code UNIQUE,
    name              text NOT NULL,
    description       text,
    category_id       integer REFERENCES categories(id),
    supplier_id       integer REFERENCES suppliers(id),
    price_cents       integer NOT NULL CHECK (price_cents >= 0),
    sale_price_cents  integer CHECK (sale_price_cents >= 0),
    weight_g          positive_int,
    tags              text[] NOT NULL DEFAULT '{}',
    alt_names         text[],
    attributes        jsonb NOT NULL DEFAULT '{}',
    active            boolean NOT NULL DEFAULT true,
    price_with_vat    numeric GENERATED ALWAYS AS (price_cents * 1.2) STORED,
    effective_price   integer GENERATED ALWAYS AS (coalesce(sale_price_cents, price_cents)) STORED,
    sale_discount     integer GENERATED ALWAYS AS (price_cents - sale_price_cents) STORED
);

CREATE TABLE warehouses (
    id    serial PRIMARY KEY,
    code  text NOT NULL UNIQUE,
    city  text
);

CREATE TABLE inventory (
    product_id    integer NOT NULL REFERENCES products(id),
    warehouse_id  integer NOT NULL REFERENCES warehouses(id),
    quantity      integer NOT NULL CHECK (quantity >= 0),
    reserved      integer,
    PRIMARY KEY (product_id, warehouse_id)
);

CREATE TABLE coupons (
    code              text PRIMARY KEY,
    percent_off       numeric(5,2),
    amount_off_cents  integer,
    valid_during      tstzrange,
    max_uses          integer,
    CHECK (percent_off IS NOT NULL OR amount_off_cents IS NOT NULL)
);

CREATE TABLE orders (
    id                   serial PRIMARY KEY,
    customer_id          integer NOT NULL REFERENCES customers(id),
    shipping_address_id  integer REFERENCES addresses(id),
    coupon_code          text REFERENCES coupons(code),
    status               order_status NOT NULL DEFAULT 'cart',
    placed_at            timestamptz NOT NULL DEFAULT now(),
    shipped_at           timestamptz,
    note                 text,
    total_cents          integer NOT NULL DEFAULT 0,
    CHECK (shipped_at IS NULL OR shipped_at >= placed_at)
);

CREATE TABLE order_lines (
    order_id          integer NOT NULL REFERENCES orders(id),
    line_no           integer NOT NULL,
    product_id        integer NOT NULL REFERENCES products(id),
    quantity          integer NOT NULL CHECK (quantity > 0),
    unit_price_cents  integer NOT NULL,
    discount_cents    integer,
    line_total_cents  integer GENERATED ALWAYS AS (quantity * unit_price_cents - coalesce(discount_cents, 0)) STORED,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE invoices (
    id            serial PRIMARY KEY,
    order_id      integer NOT NULL UNIQUE REFERENCES orders(id),
    number        text NOT NULL UNIQUE,
    issued_on     date NOT NULL,
    due_on        date,
    paid_on       date,
    amount_cents  integer NOT NULL,
    service_period daterange
);

CREATE TABLE payments (
    id           serial PRIMARY KEY,
    invoice_id   integer REFERENCES invoices(id),
    customer_id  integer NOT NULL REFERENCES customers(id),
    amount       numeric(12,2) NOT NULL CHECK (amount <> 0),
    method       text NOT NULL CHECK (method IN ('card', 'bank', 'paypal', 'credit')),
    received_at  timestamptz NOT NULL,
    reference    text
);

CREATE TABLE subscriptions (
    id             serial PRIMARY KEY,
    customer_id    integer NOT NULL REFERENCES customers(id),
    plan           text NOT NULL,
    seats          integer NOT NULL DEFAULT 1 CHECK (seats > 0),
    active_during  tstzrange NOT NULL,
    cancelled_at   timestamptz,
    trial_ends_on  date
);

CREATE TABLE settings (
    customer_id  integer PRIMARY KEY REFERENCES customers(id),
    prefs        jsonb NOT NULL DEFAULT '{}',
    overrides    jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    actor_id    integer REFERENCES customers(id),
    table_name  text NOT NULL,
    row_id      bigint,
    action      text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old_data    jsonb,
    new_data    jsonb,
    at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    customer_id  integer REFERENCES customers(id),
    kind         text NOT NULL,
    payload      jsonb,
    occurred_at  timestamptz NOT NULL
) PARTITION BY RANGE (occurred_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- inheritance: generic documents and contracts that extend them
CREATE TABLE documents (
    id          serial PRIMARY KEY,
    title       text NOT NULL,
    body        text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE contracts (
    customer_id  integer NOT NULL REFERENCES customers(id),
    signed_at    timestamptz,
    value_cents  bigint NOT NULL DEFAULT 0
) INHERITS (documents);

CREATE TABLE product_reviews (
    id           serial PRIMARY KEY,
    product_id   integer NOT NULL REFERENCES products(id),
    customer_id  integer REFERENCES customers(id),
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body         text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE VIEW customer_order_summary AS
SELECT c.id AS customer_id, c.full_name, c.email, o.id AS order_id, o.status, o.placed_at, o.total_cents
FROM customers c LEFT JOIN orders o ON o.customer_id = c.id;

CREATE VIEW product_catalog AS
SELECT p.id, p.sku, p.name, p.price_cents, p.sale_price_cents, c.name AS category_name, pc.name AS parent_category_name, s.name AS supplier_name
FROM products p
LEFT JOIN categories c ON c.id = p.category_id
LEFT JOIN categories pc ON pc.id = c.parent_id
LEFT JOIN suppliers s ON s.id = p.supplier_id
WHERE p.active;

CREATE VIEW invoice_balances AS
SELECT i.id AS invoice_id, i.number, i.amount_cents, o.customer_id,
       coalesce(sum(p.amount), 0) AS paid, max(p.received_at) AS last_payment_at
FROM invoices i
JOIN orders o ON o.id = i.order_id
LEFT JOIN payments p ON p.invoice_id = i.id
GROUP BY i.id, o.customer_id;
