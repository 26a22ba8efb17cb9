--
-- PostgreSQL database dump
--

\restrict W2j1LItNpqNjLVCNMDpvd1YVjkVRNxYxlaX7ZBNSw0Bup2BvB6KqPSKeIcLFQsp

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: fixture_195acf4; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA fixture_195acf4;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: alerts; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.alerts (
    id integer NOT NULL,
    key character varying(300) NOT NULL,
    subject character varying(200) NOT NULL,
    kind character varying(16) NOT NULL,
    text text NOT NULL,
    created_at timestamp without time zone NOT NULL,
    claimed_until timestamp without time zone,
    sent_at timestamp without time zone,
    resolved_at timestamp without time zone
);


--
-- Name: alerts_id_seq; Type: SEQUENCE; Schema: fixture_195acf4; Owner: -
--

CREATE SEQUENCE fixture_195acf4.alerts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: alerts_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_195acf4; Owner: -
--

ALTER SEQUENCE fixture_195acf4.alerts_id_seq OWNED BY fixture_195acf4.alerts.id;


--
-- Name: announcements; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.announcements (
    id character varying(64) NOT NULL,
    template character varying(200) NOT NULL,
    page character varying(64),
    channels json NOT NULL,
    at timestamp without time zone,
    cron character varying(100),
    timezone character varying(64) NOT NULL,
    source character varying(8) NOT NULL,
    state character varying(16) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    created_by_id bigint,
    created_by_name character varying(200)
);


--
-- Name: channel_limits; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.channel_limits (
    channel_id character varying(64) NOT NULL,
    name character varying(64) NOT NULL,
    value integer NOT NULL,
    source character varying(1000) NOT NULL,
    learned_at timestamp without time zone NOT NULL
);


--
-- Name: deliveries; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.deliveries (
    id integer NOT NULL,
    channel_id character varying(64) NOT NULL,
    network character varying(16) NOT NULL,
    about character varying(300) NOT NULL,
    dedupe_key character varying(400) NOT NULL,
    post json,
    state character varying(16) NOT NULL,
    due_at timestamp without time zone NOT NULL,
    occurrence timestamp without time zone,
    attempts integer NOT NULL,
    next_attempt_at timestamp without time zone,
    idempotency_key character varying(64) NOT NULL,
    claim_token character varying(32),
    claimed_at timestamp without time zone,
    lease_until timestamp without time zone,
    ambiguous_since timestamp without time zone,
    remote_id character varying(200),
    remote_url character varying(1000),
    reason text,
    dry_run boolean NOT NULL,
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL,
    sent_at timestamp without time zone
);


--
-- Name: deliveries_id_seq; Type: SEQUENCE; Schema: fixture_195acf4; Owner: -
--

CREATE SEQUENCE fixture_195acf4.deliveries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_195acf4; Owner: -
--

ALTER SEQUENCE fixture_195acf4.deliveries_id_seq OWNED BY fixture_195acf4.deliveries.id;


--
-- Name: feed_state; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.feed_state (
    feed_id character varying(64) NOT NULL,
    etag character varying(400),
    last_modified character varying(100),
    last_poll timestamp without time zone,
    last_error text,
    failures integer NOT NULL
);


--
-- Name: pause; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.pause (
    id integer NOT NULL,
    since timestamp without time zone NOT NULL,
    by character varying(200) NOT NULL
);


--
-- Name: pause_id_seq; Type: SEQUENCE; Schema: fixture_195acf4; Owner: -
--

CREATE SEQUENCE fixture_195acf4.pause_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: pause_id_seq; Type: SEQUENCE OWNED BY; Schema: fixture_195acf4; Owner: -
--

ALTER SEQUENCE fixture_195acf4.pause_id_seq OWNED BY fixture_195acf4.pause.id;


--
-- Name: seen_items; Type: TABLE; Schema: fixture_195acf4; Owner: -
--

CREATE TABLE fixture_195acf4.seen_items (
    dedupe_key character varying(400) NOT NULL,
    feed_id character varying(64) NOT NULL,
    item_id character varying(200) NOT NULL,
    first_seen timestamp without time zone NOT NULL
);


--
-- Name: alerts id; Type: DEFAULT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.alerts ALTER COLUMN id SET DEFAULT nextval('fixture_195acf4.alerts_id_seq'::regclass);


--
-- Name: deliveries id; Type: DEFAULT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.deliveries ALTER COLUMN id SET DEFAULT nextval('fixture_195acf4.deliveries_id_seq'::regclass);


--
-- Name: pause id; Type: DEFAULT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.pause ALTER COLUMN id SET DEFAULT nextval('fixture_195acf4.pause_id_seq'::regclass);


--
-- Data for Name: alerts; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.alerts VALUES (1, 'feed:news:open', 'feed:news', 'feed', 'news: 3 polls failed', '2026-08-04 06:59:00', NULL, NULL, NULL);


--
-- Data for Name: announcements; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.announcements VALUES ('verdict', 'reminder', 'ales', '["*"]', '2026-08-05 07:00:00', NULL, 'Europe/Minsk', 'cli', 'active', '2026-08-04 06:59:00.246428', NULL, NULL);
INSERT INTO fixture_195acf4.announcements VALUES ('weekly', 'reminder', 'ales', '["telegram-be"]', NULL, '0 10 * * mon', 'Europe/Minsk', 'cli', 'cancelled', '2026-08-04 06:59:00.237238', NULL, NULL);
INSERT INTO fixture_195acf4.announcements VALUES ('bot-reminder', 'reminder', 'ales', '["*"]', '2026-08-06 06:59:00', NULL, 'Europe/Minsk', 'cli', 'active', '2026-08-04 06:59:00', 1099511627783, 'Наталля');
INSERT INTO fixture_195acf4.announcements VALUES ('arrest-anniversary', 'anniversary', 'ales', '["*"]', NULL, '0 10 4 8 *', 'Europe/Minsk', 'yaml', 'active', '2026-08-04 06:59:00.413695', NULL, NULL);
INSERT INTO fixture_195acf4.announcements VALUES ('weekly-day-count', 'reminder', 'ales', '["*"]', NULL, '0 10 * * mon', 'Europe/Minsk', 'yaml', 'active', '2026-08-04 06:59:00.416816', NULL, NULL);


--
-- Data for Name: channel_limits; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.channel_limits VALUES ('mastodon-en', 'max_characters', 11000, 'https://example.social/api/v2/instance', '2026-08-04 06:59:00');


--
-- Data for Name: deliveries; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.deliveries VALUES (1, 'mastodon-en', 'mastodon', 'news:news:freeales-2012-01-pressure', 'news:guid:news:freeales-2012-01-pressure', '{"channel_id": "mastodon-en", "network": "mastodon", "text": "\ud83d\udcf0 Under pressure even behind bars\n\nReports from the penal colony describe continued pressure on the defender. FIDH repeats its call for his release and for the release of all political prisoners in Belarus.\n\nhttps://freeales.fidh.net/news/2012/01/pressure/\n\n#FreeAles #Belarus", "language": "en", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [], "silent": false, "link_preview": true, "about": "news:news:freeales-2012-01-pressure"}', 'sent', '2026-08-04 06:59:00.443067', NULL, 1, NULL, 'd885cc05f00f48cf8fd5fb55228c9c94', '48cf8b456c434fa8a57491a199c22498', '2026-08-04 06:59:00.579983', NULL, NULL, 'dry-run:d885cc05f00f:1', NULL, NULL, true, '2026-08-04 06:59:00.555415', '2026-08-04 06:59:00.59505', '2026-08-04 06:59:00.594005');
INSERT INTO fixture_195acf4.deliveries VALUES (3, 'telegram-be', 'telegram', 'news:news:freeales-2012-01-pressure', 'news:guid:news:freeales-2012-01-pressure', '{"channel_id": "telegram-be", "network": "telegram", "text": "\ud83d\udcf0 <b>Under pressure even behind bars</b>\n\nReports from the penal colony describe continued pressure on the defender. FIDH repeats its call for his release and for the release of all political prisoners in Belarus.\n\n<a href=\"https://freeales.fidh.net/news/2012/01/pressure/\">\u0427\u044b\u0442\u0430\u0446\u044c \u0434\u0430\u043b\u0435\u0439 \u2192</a>\n\n#FreeAles #Belarus", "language": "be", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [{"text": "\u041f\u0430\u0434\u043f\u0456\u0441\u0430\u0446\u044c \u0437\u0432\u0430\u0440\u043e\u0442", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "news:news:freeales-2012-01-pressure"}', 'sent', '2026-08-04 06:59:00.443067', NULL, 1, NULL, 'df40e64329c04578a1b08680c3d3f767', '4feed4b2302d4594ab154f0f89245f70', '2026-08-04 06:59:00.583471', NULL, NULL, 'dry-run:df40e64329c0:1', NULL, NULL, true, '2026-08-04 06:59:00.55714', '2026-08-04 06:59:00.594414', '2026-08-04 06:59:00.593746');
INSERT INTO fixture_195acf4.deliveries VALUES (2, 'telegram-ru', 'telegram', 'news:news:freeales-2012-01-pressure', 'news:guid:news:freeales-2012-01-pressure', '{"channel_id": "telegram-ru", "network": "telegram", "text": "\ud83d\udcf0 <b>Under pressure even behind bars</b>\n\nReports from the penal colony describe continued pressure on the defender. FIDH repeats its call for his release and for the release of all political prisoners in Belarus.\n\n<a href=\"https://freeales.fidh.net/news/2012/01/pressure/\">\u0427\u0438\u0442\u0430\u0442\u044c \u0434\u0430\u043b\u0435\u0435 \u2192</a>\n\n#FreeAles #Belarus", "language": "ru", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [{"text": "\u041f\u043e\u0434\u043f\u0438\u0441\u0430\u0442\u044c \u043e\u0431\u0440\u0430\u0449\u0435\u043d\u0438\u0435", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "news:news:freeales-2012-01-pressure"}', 'sent', '2026-08-04 06:59:00.443067', NULL, 1, NULL, 'cdf207dadbcb47dfbc44238af8e03375', '0c4bbb0799b746b983d2cc02470bfef5', '2026-08-04 06:59:00.591857', NULL, NULL, 'dry-run:cdf207dadbcb:1', NULL, NULL, true, '2026-08-04 06:59:00.556663', '2026-08-04 06:59:00.601752', '2026-08-04 06:59:00.60112');
INSERT INTO fixture_195acf4.deliveries VALUES (5, 'telegram-ru', 'telegram', 'announcement:arrest-anniversary', 'announcement:arrest-anniversary@2026-08-04T07:00:00Z', '{"channel_id": "telegram-ru", "network": "telegram", "text": "\ud83d\uddd3 \u0421\u0432\u043e\u0431\u043e\u0434\u0443 \u0410\u043b\u0435\u0441\u044e \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u043c\u0443\n<b>15 \u043b\u0435\u0442 \u0441 4 \u0430\u0432\u0433\u0443\u0441\u0442\u0430 2011\u202f\u0433. (5\u00a0479 \u0434\u043d\u0435\u0439).</b>\n\n<b>\u041e\u0431 \u0410\u043b\u0435\u0441\u0435 \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u043c</b>\n\u0412\u0438\u0446\u0435-\u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442 FIDH \u0438 \u0440\u0443\u043a\u043e\u0432\u043e\u0434\u0438\u0442\u0435\u043b\u044c \u041f\u0440\u0430\u0432\u043e\u0437\u0430\u0449\u0438\u0442\u043d\u043e\u0433\u043e \u0446\u0435\u043d\u0442\u0440\u0430 \u00ab\u0412\u0435\u0441\u043d\u0430\u00bb \u043d\u0430\u0445\u043e\u0434\u0438\u0442\u0441\u044f \u0432 \u0437\u0430\u043a\u043b\u044e\u0447\u0435\u043d\u0438\u0438 \u0441 4 \u0430\u0432\u0433\u0443\u0441\u0442\u0430 2011 \u0433\u043e\u0434\u0430; 24 \u043d\u043e\u044f\u0431\u0440\u044f 2011 \u0433\u043e\u0434\u0430 \u043f\u0440\u0438\u0433\u043e\u0432\u043e\u0440\u0451\u043d \u043a \u0447\u0435\u0442\u044b\u0440\u0451\u043c \u0441 \u043f\u043e\u043b\u043e\u0432\u0438\u043d\u043e\u0439 \u0433\u043e\u0434\u0430\u043c \u043a\u043e\u043b\u043e\u043d\u0438\u0438 \u0443\u0441\u0438\u043b\u0435\u043d\u043d\u043e\u0433\u043e \u0440\u0435\u0436\u0438\u043c\u0430 \u0437\u0430 \u043f\u0440\u0430\u0432\u043e\u0437\u0430\u0449\u0438\u0442\u043d\u0443\u044e \u0434\u0435\u044f\u0442\u0435\u043b\u044c\u043d\u043e\u0441\u0442\u044c.\n\n<a href=\"https://freeales.fidh.net/about-ales-bialiatski/\">\u0427\u0438\u0442\u0430\u0442\u044c \u0434\u0430\u043b\u0435\u0435 \u2192</a>\n\n#FreeAles #Belarus", "language": "ru", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "\u041f\u043e\u0440\u0442\u0440\u0435\u0442 \u0410\u043b\u0435\u0441\u044f \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u0433\u043e", "buttons": [{"text": "\u041f\u043e\u0434\u043f\u0438\u0441\u0430\u0442\u044c \u043e\u0431\u0440\u0430\u0449\u0435\u043d\u0438\u0435", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "announcement:arrest-anniversary"}', 'sent', '2026-08-04 07:01:00.391485', '2026-08-04 07:00:00', 1, NULL, '18a9d8a2364b41bdbdee789836825a73', 'b9ba942cbd5a4f4db1aef40e373657db', '2026-08-04 07:01:00.564968', NULL, NULL, 'dry-run:18a9d8a2364b:1', NULL, NULL, true, '2026-08-04 07:01:00.539852', '2026-08-04 07:01:00.570218', '2026-08-04 07:01:00.569492');
INSERT INTO fixture_195acf4.deliveries VALUES (6, 'telegram-be', 'telegram', 'announcement:arrest-anniversary', 'announcement:arrest-anniversary@2026-08-04T07:00:00Z', '{"channel_id": "telegram-be", "network": "telegram", "text": "\ud83d\uddd3 \u0412\u043e\u043b\u044e \u0410\u043b\u0435\u0441\u044e \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u043c\u0443\n<b>15 \u0433\u0430\u0434\u043e\u045e \u0437 4 \u0436\u043d\u0456\u045e\u043d\u044f 2011\u202f\u0433. (5\u00a0479 \u0434\u0437\u0451\u043d).</b>\n\n<b>\u041f\u0440\u0430 \u0410\u043b\u0435\u0441\u044f \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u0433\u0430</b>\n\u0412\u0456\u0446\u044d-\u043f\u0440\u044d\u0437\u0456\u0434\u044d\u043d\u0442 FIDH \u0456 \u0441\u0442\u0430\u0440\u0448\u044b\u043d\u044f \u041f\u0440\u0430\u0432\u0430\u0430\u0431\u0430\u0440\u043e\u043d\u0447\u0430\u0433\u0430 \u0446\u044d\u043d\u0442\u0440\u0430 \u00ab\u0412\u044f\u0441\u043d\u0430\u00bb \u045e \u0437\u043d\u044f\u0432\u043e\u043b\u0435\u043d\u043d\u0456 \u0437 4 \u0436\u043d\u0456\u045e\u043d\u044f 2011 \u0433\u043e\u0434\u0430; 24 \u043b\u0456\u0441\u0442\u0430\u043f\u0430\u0434\u0430 2011 \u0433\u043e\u0434\u0430 \u0430\u0441\u0443\u0434\u0436\u0430\u043d\u044b \u043d\u0430 \u0447\u0430\u0442\u044b\u0440\u044b \u0437 \u043f\u0430\u043b\u043e\u0432\u0430\u0439 \u0433\u0430\u0434\u044b \u043a\u0430\u043b\u043e\u043d\u0456\u0456 \u045e\u0437\u043c\u043e\u0446\u043d\u0435\u043d\u0430\u0433\u0430 \u0440\u044d\u0436\u044b\u043c\u0443 \u0437\u0430 \u043f\u0440\u0430\u0432\u0430\u0430\u0431\u0430\u0440\u043e\u043d\u0447\u0443\u044e \u0434\u0437\u0435\u0439\u043d\u0430\u0441\u0446\u044c.\n\n<a href=\"https://freeales.fidh.net/about-ales-bialiatski/\">\u0427\u044b\u0442\u0430\u0446\u044c \u0434\u0430\u043b\u0435\u0439 \u2192</a>\n\n#FreeAles #Belarus", "language": "be", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "\u041f\u0430\u0440\u0442\u0440\u044d\u0442 \u0410\u043b\u0435\u0441\u044f \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u0433\u0430", "buttons": [{"text": "\u041f\u0430\u0434\u043f\u0456\u0441\u0430\u0446\u044c \u0437\u0432\u0430\u0440\u043e\u0442", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "announcement:arrest-anniversary"}', 'sent', '2026-08-04 07:01:00.391485', '2026-08-04 07:00:00', 1, NULL, '2894aae159f54adeb7f50cf043a3063a', '65cb6e54cfb24be59d135306457b7673', '2026-08-04 07:01:00.56322', NULL, NULL, 'dry-run:2894aae159f5:1', NULL, NULL, true, '2026-08-04 07:01:00.540635', '2026-08-04 07:01:00.5715', '2026-08-04 07:01:00.5713');
INSERT INTO fixture_195acf4.deliveries VALUES (4, 'mastodon-en', 'mastodon', 'announcement:arrest-anniversary', 'announcement:arrest-anniversary@2026-08-04T07:00:00Z', '{"channel_id": "mastodon-en", "network": "mastodon", "text": "\ud83d\uddd3 Free Ales Bialiatski\n15 years since August 4, 2011 (5,479 days).\n\nAbout Ales Bialiatski\nFIDH Vice-President and head of the Human Rights Center \"Viasna\", jailed since 4 August 2011 and sentenced on 24 November 2011 to four and a half years in a strict-regime penal colony for his human rights work.\n\nhttps://freeales.fidh.net/about-ales-bialiatski/\n\n#FreeAles #Belarus", "language": "en", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "Portrait of Ales Bialiatski", "buttons": [], "silent": false, "link_preview": true, "about": "announcement:arrest-anniversary"}', 'sent', '2026-08-04 07:01:00.391485', '2026-08-04 07:00:00', 1, NULL, '790bec403d9c449085528844e8b28cd3', 'c93052f2e6cc4412a35f921b2d149721', '2026-08-04 07:01:00.55846', NULL, NULL, 'dry-run:790bec403d9c:1', NULL, NULL, true, '2026-08-04 07:01:00.53672', '2026-08-04 07:01:00.567002', '2026-08-04 07:01:00.566715');
INSERT INTO fixture_195acf4.deliveries VALUES (7, 'mastodon-en', 'mastodon', 'page:home', 'page:home', '{"channel_id": "mastodon-en", "network": "mastodon", "text": "Belarus: human rights defenders under pressure\n\nAfter the crushed protests over the December 2010 presidential election, at least 11 people in Belarus are political prisoners. This site follows the struggle of Belarusian civil society and the international campaign to end the harassment.\n\nhttps://freeales.fidh.net/\n\n#FreeAles #Belarus", "language": "en", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [], "silent": false, "link_preview": true, "about": "page:home"}', 'sent', '2026-12-01 13:09:37.772996', NULL, 1, NULL, 'cc22614a9fde46c9a666e2cdab953121', 'd737c5bbae6041c08c72cf43bb69d50d', '2026-12-01 13:09:37.808521', NULL, NULL, 'dry-run:cc22614a9fde:1', NULL, NULL, true, '2026-12-01 13:09:37.773049', '2026-12-01 13:09:37.817617', '2026-12-01 13:09:37.81715');
INSERT INTO fixture_195acf4.deliveries VALUES (8, 'telegram-ru', 'telegram', 'page:home', 'page:home', '{"channel_id": "telegram-ru", "network": "telegram", "text": "<b>\u0411\u0435\u043b\u0430\u0440\u0443\u0441\u044c: \u043f\u0440\u0430\u0432\u043e\u0437\u0430\u0449\u0438\u0442\u043d\u0438\u043a\u0438 \u043f\u043e\u0434 \u0434\u0430\u0432\u043b\u0435\u043d\u0438\u0435\u043c</b>\n\n\u041f\u043e\u0441\u043b\u0435 \u043f\u043e\u0434\u0430\u0432\u043b\u0435\u043d\u0438\u044f \u043f\u0440\u043e\u0442\u0435\u0441\u0442\u043e\u0432 \u043f\u0440\u043e\u0442\u0438\u0432 \u0438\u0442\u043e\u0433\u043e\u0432 \u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442\u0441\u043a\u0438\u0445 \u0432\u044b\u0431\u043e\u0440\u043e\u0432 \u0432 \u0434\u0435\u043a\u0430\u0431\u0440\u0435 2010 \u0433\u043e\u0434\u0430 \u0432 \u0411\u0435\u043b\u0430\u0440\u0443\u0441\u0438 \u043a\u0430\u043a \u043c\u0438\u043d\u0438\u043c\u0443\u043c 11 \u043f\u043e\u043b\u0438\u0442\u0437\u0430\u043a\u043b\u044e\u0447\u0451\u043d\u043d\u044b\u0445. \u042d\u0442\u043e\u0442 \u0441\u0430\u0439\u0442 \u0440\u0430\u0441\u0441\u043a\u0430\u0437\u044b\u0432\u0430\u0435\u0442 \u043e \u0431\u043e\u0440\u044c\u0431\u0435 \u0431\u0435\u043b\u043e\u0440\u0443\u0441\u0441\u043a\u043e\u0433\u043e \u0433\u0440\u0430\u0436\u0434\u0430\u043d\u0441\u043a\u043e\u0433\u043e \u043e\u0431\u0449\u0435\u0441\u0442\u0432\u0430 \u0438 \u043e \u043c\u0435\u0436\u0434\u0443\u043d\u0430\u0440\u043e\u0434\u043d\u043e\u0439 \u043a\u0430\u043c\u043f\u0430\u043d\u0438\u0438 \u0432 \u0435\u0433\u043e \u043f\u043e\u0434\u0434\u0435\u0440\u0436\u043a\u0443.\n\n<a href=\"https://freeales.fidh.net/\">\u0427\u0438\u0442\u0430\u0442\u044c \u0434\u0430\u043b\u0435\u0435 \u2192</a>\n\n#FreeAles #Belarus", "language": "ru", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [{"text": "\u041f\u043e\u0434\u043f\u0438\u0441\u0430\u0442\u044c \u043e\u0431\u0440\u0430\u0449\u0435\u043d\u0438\u0435", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "page:home"}', 'sent', '2026-12-01 13:09:37.779813', NULL, 1, NULL, '793a274dd7b54a1887076cc34be23534', 'b351a7237dfa48ad90a85db42fe0ad5f', '2026-12-01 13:09:37.814175', NULL, NULL, 'dry-run:793a274dd7b5:1', NULL, NULL, true, '2026-12-01 13:09:37.779853', '2026-12-01 13:09:37.822465', '2026-12-01 13:09:37.821863');
INSERT INTO fixture_195acf4.deliveries VALUES (9, 'telegram-be', 'telegram', 'page:home', 'page:home', '{"channel_id": "telegram-be", "network": "telegram", "text": "<b>\u0411\u0435\u043b\u0430\u0440\u0443\u0441\u044c: \u043f\u0440\u0430\u0432\u0430\u0430\u0431\u0430\u0440\u043e\u043d\u0446\u044b \u043f\u0430\u0434 \u0446\u0456\u0441\u043a\u0430\u043c</b>\n\n\u041f\u0430\u0441\u043b\u044f \u0440\u0430\u0437\u0433\u043e\u043d\u0443 \u043f\u0440\u0430\u0442\u044d\u0441\u0442\u0430\u045e \u0441\u0443\u043f\u0440\u0430\u0446\u044c \u0432\u044b\u043d\u0456\u043a\u0430\u045e \u043f\u0440\u044d\u0437\u0456\u0434\u044d\u043d\u0446\u043a\u0456\u0445 \u0432\u044b\u0431\u0430\u0440\u0430\u045e \u0443 \u0441\u043d\u0435\u0436\u043d\u0456 2010 \u0433\u043e\u0434\u0430 \u045e \u0411\u0435\u043b\u0430\u0440\u0443\u0441\u0456 \u043f\u0440\u044b\u043d\u0430\u043c\u0441\u0456 11 \u043f\u0430\u043b\u0456\u0442\u0432\u044f\u0437\u043d\u044f\u045e. \u0413\u044d\u0442\u044b \u0441\u0430\u0439\u0442 \u0440\u0430\u0441\u043f\u0430\u0432\u044f\u0434\u0430\u0435 \u043f\u0440\u0430 \u0431\u0430\u0440\u0430\u0446\u044c\u0431\u0443 \u0431\u0435\u043b\u0430\u0440\u0443\u0441\u043a\u0430\u0439 \u0433\u0440\u0430\u043c\u0430\u0434\u0437\u044f\u043d\u0441\u043a\u0430\u0439 \u0441\u0443\u043f\u043e\u043b\u044c\u043d\u0430\u0441\u0446\u0456 \u0456 \u043c\u0456\u0436\u043d\u0430\u0440\u043e\u0434\u043d\u0443\u044e \u043a\u0430\u043c\u043f\u0430\u043d\u0456\u044e \u045e \u044f\u0435 \u043f\u0430\u0434\u0442\u0440\u044b\u043c\u043a\u0443.\n\n<a href=\"https://freeales.fidh.net/\">\u0427\u044b\u0442\u0430\u0446\u044c \u0434\u0430\u043b\u0435\u0439 \u2192</a>\n\n#FreeAles #Belarus", "language": "be", "spoiler_text": "", "visibility": "public", "image_url": null, "image_alt": "", "buttons": [{"text": "\u041f\u0430\u0434\u043f\u0456\u0441\u0430\u0446\u044c \u0437\u0432\u0430\u0440\u043e\u0442", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "page:home"}', 'sent', '2026-12-01 13:09:37.782955', NULL, 1, NULL, 'ecf9b22b35da4b449aaf1a2e08d65f6a', '66156d95113c48328879a3f43a6a13c0', '2026-12-01 13:09:37.809463', NULL, NULL, 'dry-run:ecf9b22b35da:1', NULL, NULL, true, '2026-12-01 13:09:37.78299', '2026-12-01 13:09:37.818401', '2026-12-01 13:09:37.818244');
INSERT INTO fixture_195acf4.deliveries VALUES (10, 'mastodon-en', 'mastodon', 'announcement:verdict', 'announcement:verdict@2026-08-05T07:00:00Z', '{"channel_id": "mastodon-en", "network": "mastodon", "text": "\u23f3 5,480 days since August 4, 2011\nFree Ales Bialiatski\n\nAbout Ales Bialiatski\nFIDH Vice-President and head of the Human Rights Center \"Viasna\", jailed since 4 August 2011 and sentenced on 24 November 2011 to four and a half years in a strict-regime penal colony for his human rights work.\n\nhttps://freeales.fidh.net/about-ales-bialiatski/\n\n#FreeAles #Belarus", "language": "en", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "Portrait of Ales Bialiatski", "buttons": [], "silent": false, "link_preview": true, "about": "announcement:verdict"}', 'held', '2026-08-05 07:00:30.416743', '2026-08-05 07:00:00', 0, NULL, '8de0fb23e3724e538134ed5ad0d33728', NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, '2026-08-05 07:00:30.564257', '2026-08-05 07:00:30.564257', NULL);
INSERT INTO fixture_195acf4.deliveries VALUES (11, 'telegram-ru', 'telegram', 'announcement:verdict', 'announcement:verdict@2026-08-05T07:00:00Z', '{"channel_id": "telegram-ru", "network": "telegram", "text": "\u23f3 <b>5\u00a0480 \u0434\u043d\u0435\u0439 \u0441 4 \u0430\u0432\u0433\u0443\u0441\u0442\u0430 2011\u202f\u0433.</b>\n\u0421\u0432\u043e\u0431\u043e\u0434\u0443 \u0410\u043b\u0435\u0441\u044e \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u043c\u0443\n\n<b>\u041e\u0431 \u0410\u043b\u0435\u0441\u0435 \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u043c</b>\n\u0412\u0438\u0446\u0435-\u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442 FIDH \u0438 \u0440\u0443\u043a\u043e\u0432\u043e\u0434\u0438\u0442\u0435\u043b\u044c \u041f\u0440\u0430\u0432\u043e\u0437\u0430\u0449\u0438\u0442\u043d\u043e\u0433\u043e \u0446\u0435\u043d\u0442\u0440\u0430 \u00ab\u0412\u0435\u0441\u043d\u0430\u00bb \u043d\u0430\u0445\u043e\u0434\u0438\u0442\u0441\u044f \u0432 \u0437\u0430\u043a\u043b\u044e\u0447\u0435\u043d\u0438\u0438 \u0441 4 \u0430\u0432\u0433\u0443\u0441\u0442\u0430 2011 \u0433\u043e\u0434\u0430; 24 \u043d\u043e\u044f\u0431\u0440\u044f 2011 \u0433\u043e\u0434\u0430 \u043f\u0440\u0438\u0433\u043e\u0432\u043e\u0440\u0451\u043d \u043a \u0447\u0435\u0442\u044b\u0440\u0451\u043c \u0441 \u043f\u043e\u043b\u043e\u0432\u0438\u043d\u043e\u0439 \u0433\u043e\u0434\u0430\u043c \u043a\u043e\u043b\u043e\u043d\u0438\u0438 \u0443\u0441\u0438\u043b\u0435\u043d\u043d\u043e\u0433\u043e \u0440\u0435\u0436\u0438\u043c\u0430 \u0437\u0430 \u043f\u0440\u0430\u0432\u043e\u0437\u0430\u0449\u0438\u0442\u043d\u0443\u044e \u0434\u0435\u044f\u0442\u0435\u043b\u044c\u043d\u043e\u0441\u0442\u044c.\n\n<a href=\"https://freeales.fidh.net/about-ales-bialiatski/\">\u0427\u0438\u0442\u0430\u0442\u044c \u0434\u0430\u043b\u0435\u0435 \u2192</a>\n\n#FreeAles #Belarus", "language": "ru", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "\u041f\u043e\u0440\u0442\u0440\u0435\u0442 \u0410\u043b\u0435\u0441\u044f \u0411\u0435\u043b\u044f\u0446\u043a\u043e\u0433\u043e", "buttons": [{"text": "\u041f\u043e\u0434\u043f\u0438\u0441\u0430\u0442\u044c \u043e\u0431\u0440\u0430\u0449\u0435\u043d\u0438\u0435", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "announcement:verdict"}', 'held', '2026-08-05 07:00:30.416743', '2026-08-05 07:00:00', 0, NULL, '6060e4ea5a4e4356b8b454fcdc0c9d13', NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, '2026-08-05 07:00:30.565983', '2026-08-05 07:00:30.565983', NULL);
INSERT INTO fixture_195acf4.deliveries VALUES (12, 'telegram-be', 'telegram', 'announcement:verdict', 'announcement:verdict@2026-08-05T07:00:00Z', '{"channel_id": "telegram-be", "network": "telegram", "text": "\u23f3 <b>5\u00a0480 \u0434\u0437\u0451\u043d \u0437 4 \u0436\u043d\u0456\u045e\u043d\u044f 2011\u202f\u0433.</b>\n\u0412\u043e\u043b\u044e \u0410\u043b\u0435\u0441\u044e \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u043c\u0443\n\n<b>\u041f\u0440\u0430 \u0410\u043b\u0435\u0441\u044f \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u0433\u0430</b>\n\u0412\u0456\u0446\u044d-\u043f\u0440\u044d\u0437\u0456\u0434\u044d\u043d\u0442 FIDH \u0456 \u0441\u0442\u0430\u0440\u0448\u044b\u043d\u044f \u041f\u0440\u0430\u0432\u0430\u0430\u0431\u0430\u0440\u043e\u043d\u0447\u0430\u0433\u0430 \u0446\u044d\u043d\u0442\u0440\u0430 \u00ab\u0412\u044f\u0441\u043d\u0430\u00bb \u045e \u0437\u043d\u044f\u0432\u043e\u043b\u0435\u043d\u043d\u0456 \u0437 4 \u0436\u043d\u0456\u045e\u043d\u044f 2011 \u0433\u043e\u0434\u0430; 24 \u043b\u0456\u0441\u0442\u0430\u043f\u0430\u0434\u0430 2011 \u0433\u043e\u0434\u0430 \u0430\u0441\u0443\u0434\u0436\u0430\u043d\u044b \u043d\u0430 \u0447\u0430\u0442\u044b\u0440\u044b \u0437 \u043f\u0430\u043b\u043e\u0432\u0430\u0439 \u0433\u0430\u0434\u044b \u043a\u0430\u043b\u043e\u043d\u0456\u0456 \u045e\u0437\u043c\u043e\u0446\u043d\u0435\u043d\u0430\u0433\u0430 \u0440\u044d\u0436\u044b\u043c\u0443 \u0437\u0430 \u043f\u0440\u0430\u0432\u0430\u0430\u0431\u0430\u0440\u043e\u043d\u0447\u0443\u044e \u0434\u0437\u0435\u0439\u043d\u0430\u0441\u0446\u044c.\n\n<a href=\"https://freeales.fidh.net/about-ales-bialiatski/\">\u0427\u044b\u0442\u0430\u0446\u044c \u0434\u0430\u043b\u0435\u0439 \u2192</a>\n\n#FreeAles #Belarus", "language": "be", "spoiler_text": "", "visibility": "public", "image_url": "https://freeales.fidh.net/images/ales-bialiatski.jpg", "image_alt": "\u041f\u0430\u0440\u0442\u0440\u044d\u0442 \u0410\u043b\u0435\u0441\u044f \u0411\u044f\u043b\u044f\u0446\u043a\u0430\u0433\u0430", "buttons": [{"text": "\u041f\u0430\u0434\u043f\u0456\u0441\u0430\u0446\u044c \u0437\u0432\u0430\u0440\u043e\u0442", "url": "https://freeales.fidh.net/appeal/"}], "silent": false, "link_preview": true, "about": "announcement:verdict"}', 'held', '2026-08-05 07:00:30.416743', '2026-08-05 07:00:00', 0, NULL, 'c9db8fc3011a43ad8075859882e5360f', NULL, NULL, NULL, NULL, NULL, NULL, NULL, false, '2026-08-05 07:00:30.566727', '2026-08-05 07:00:30.566727', NULL);


--
-- Data for Name: feed_state; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.feed_state VALUES ('news', NULL, '1796130543624178512:2146', '2026-08-05 07:00:30.569228', NULL, 0);


--
-- Data for Name: pause; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.pause VALUES (1, '2026-08-04 06:59:00', 'organiser 123456789');


--
-- Data for Name: seen_items; Type: TABLE DATA; Schema: fixture_195acf4; Owner: -
--

INSERT INTO fixture_195acf4.seen_items VALUES ('guid:news:freeales-2011-11-sentence', 'news', 'news:freeales-2011-11-sentence', '2026-08-04 06:59:00.551278');
INSERT INTO fixture_195acf4.seen_items VALUES ('link:https://freeales.fidh.net/news/2011/11/sentence', 'news', 'news:freeales-2011-11-sentence', '2026-08-04 06:59:00.553336');
INSERT INTO fixture_195acf4.seen_items VALUES ('hash:675f4e454182c0c17bf15e6158db894e', 'news', 'news:freeales-2011-11-sentence', '2026-08-04 06:59:00.55373');
INSERT INTO fixture_195acf4.seen_items VALUES ('guid:news:freeales-2011-08-site', 'news', 'news:freeales-2011-08-site', '2026-08-04 06:59:00.554049');
INSERT INTO fixture_195acf4.seen_items VALUES ('link:https://freeales.fidh.net/news/2011/08/campaign-site', 'news', 'news:freeales-2011-08-site', '2026-08-04 06:59:00.554313');
INSERT INTO fixture_195acf4.seen_items VALUES ('hash:69d60604f488631c3089fb3815d64d36', 'news', 'news:freeales-2011-08-site', '2026-08-04 06:59:00.554542');
INSERT INTO fixture_195acf4.seen_items VALUES ('guid:news:freeales-2011-08-arrest', 'news', 'news:freeales-2011-08-arrest', '2026-08-04 06:59:00.554824');
INSERT INTO fixture_195acf4.seen_items VALUES ('link:https://freeales.fidh.net/news/2011/08/arrest', 'news', 'news:freeales-2011-08-arrest', '2026-08-04 06:59:00.555018');
INSERT INTO fixture_195acf4.seen_items VALUES ('hash:0a47582260f90741bf16924260bf5e94', 'news', 'news:freeales-2011-08-arrest', '2026-08-04 06:59:00.555203');
INSERT INTO fixture_195acf4.seen_items VALUES ('guid:news:freeales-2012-01-pressure', 'news', 'news:freeales-2012-01-pressure', '2026-08-04 06:59:00.557556');
INSERT INTO fixture_195acf4.seen_items VALUES ('link:https://freeales.fidh.net/news/2012/01/pressure', 'news', 'news:freeales-2012-01-pressure', '2026-08-04 06:59:00.55777');
INSERT INTO fixture_195acf4.seen_items VALUES ('hash:4eb99e4d4ca804f620e10fac0f601a90', 'news', 'news:freeales-2012-01-pressure', '2026-08-04 06:59:00.557952');


--
-- Name: alerts_id_seq; Type: SEQUENCE SET; Schema: fixture_195acf4; Owner: -
--

SELECT pg_catalog.setval('fixture_195acf4.alerts_id_seq', 1, true);


--
-- Name: deliveries_id_seq; Type: SEQUENCE SET; Schema: fixture_195acf4; Owner: -
--

SELECT pg_catalog.setval('fixture_195acf4.deliveries_id_seq', 12, true);


--
-- Name: pause_id_seq; Type: SEQUENCE SET; Schema: fixture_195acf4; Owner: -
--

SELECT pg_catalog.setval('fixture_195acf4.pause_id_seq', 1, false);


--
-- Name: alerts alerts_key_key; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.alerts
    ADD CONSTRAINT alerts_key_key UNIQUE (key);


--
-- Name: alerts alerts_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.alerts
    ADD CONSTRAINT alerts_pkey PRIMARY KEY (id);


--
-- Name: announcements announcements_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.announcements
    ADD CONSTRAINT announcements_pkey PRIMARY KEY (id);


--
-- Name: channel_limits channel_limits_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.channel_limits
    ADD CONSTRAINT channel_limits_pkey PRIMARY KEY (channel_id, name);


--
-- Name: deliveries deliveries_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.deliveries
    ADD CONSTRAINT deliveries_pkey PRIMARY KEY (id);


--
-- Name: feed_state feed_state_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.feed_state
    ADD CONSTRAINT feed_state_pkey PRIMARY KEY (feed_id);


--
-- Name: pause pause_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.pause
    ADD CONSTRAINT pause_pkey PRIMARY KEY (id);


--
-- Name: seen_items seen_items_pkey; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.seen_items
    ADD CONSTRAINT seen_items_pkey PRIMARY KEY (dedupe_key);


--
-- Name: deliveries uq_deliveries_dedupe; Type: CONSTRAINT; Schema: fixture_195acf4; Owner: -
--

ALTER TABLE ONLY fixture_195acf4.deliveries
    ADD CONSTRAINT uq_deliveries_dedupe UNIQUE (channel_id, dedupe_key);


--
-- Name: ix_alerts_subject; Type: INDEX; Schema: fixture_195acf4; Owner: -
--

CREATE INDEX ix_alerts_subject ON fixture_195acf4.alerts USING btree (subject);


--
-- Name: ix_deliveries_about; Type: INDEX; Schema: fixture_195acf4; Owner: -
--

CREATE INDEX ix_deliveries_about ON fixture_195acf4.deliveries USING btree (about);


--
-- Name: ix_deliveries_channel_id; Type: INDEX; Schema: fixture_195acf4; Owner: -
--

CREATE INDEX ix_deliveries_channel_id ON fixture_195acf4.deliveries USING btree (channel_id);


--
-- Name: ix_deliveries_state; Type: INDEX; Schema: fixture_195acf4; Owner: -
--

CREATE INDEX ix_deliveries_state ON fixture_195acf4.deliveries USING btree (state);


--
-- Name: ix_seen_items_feed_id; Type: INDEX; Schema: fixture_195acf4; Owner: -
--

CREATE INDEX ix_seen_items_feed_id ON fixture_195acf4.seen_items USING btree (feed_id);


--
-- PostgreSQL database dump complete
--

\unrestrict W2j1LItNpqNjLVCNMDpvd1YVjkVRNxYxlaX7ZBNSw0Bup2BvB6KqPSKeIcLFQsp

