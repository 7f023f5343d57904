"""Data and line-level predicates for the clean stage.

Everything here is either a constant (phrase lists are DATA: tuples and dicts,
multilingual) or a pure function of one line.  The ordering of the rules and
the document-level logic live in :mod:`clean`.

Phrase lists are deliberately short and generic: they name *kinds* of page
furniture ("share", "comments", "related", "subscribe"...) in several
languages, never a site or an outlet.  Most decisions are structural
(length, punctuation, position, repetition); a phrase only ever matches a
whole short line, never a word inside a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import Mapping

# ---------------------------------------------------------------- phrases
# Each entry matches a WHOLE short line (case-insensitive, after stripping
# punctuation, counters and arrows at the ends).  Keys are rule names.

PHRASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "share-widget": (
        # en
        "share", "share this", "share this article", "share this story", "share on facebook",
        "share on twitter", "share via email", "tweet", "pin", "pin it", "email", "e-mail", "print",
        "facebook", "twitter", "whatsapp", "linkedin", "reddit", "pinterest", "telegram", "flipboard",
        "copy link", "copy url", "link copied", "share article", "shares", "share story", "messenger",
        "sms", "tumblr", "vk", "instagram", "youtube", "rss", "x", "gmail", "more sharing options",
        "share to facebook", "share to twitter", "email this", "print this", "save", "save article",
        # fr/de/es/it/pt/ru
        "partager", "partager sur facebook", "partager sur twitter", "imprimer", "envoyer",
        "teilen", "drucken", "artikel teilen", "per e-mail teilen", "compartir", "imprimir",
        "enviar por correo", "condividi", "stampa", "condividi su facebook", "compartilhar",
        "compartilhe", "поделиться", "распечатать", "отправить", "поделиться в соцсетях",
    ),
    "comment-prompt": (
        # en
        "comments", "comment", "leave a reply", "leave a comment", "post a comment", "add a comment",
        "add comment", "view comments", "show comments", "hide comments", "discuss", "discussion",
        "join the discussion", "join the conversation", "community policy", "community guidelines",
        "comment policy", "load more comments",
        "be the first to comment", "no comments", "no comments yet", "post comment", "submit comment",
        "you must be logged in to post a comment", "sign in to comment", "log in to comment",
        "conversation", "comments are closed", "what do you think",
        # fr
        "commentaires", "commentaire", "laisser un commentaire", "réagir",
        "ajouter un commentaire", "voir les commentaires",
        # de
        "kommentare", "kommentar", "kommentieren", "kommentar schreiben",
        "diskutieren", "diskussion",
        # es
        "comentarios", "comentario", "deja un comentario", "deja una respuesta",
        "comentar", "ver comentarios",
        # it
        "commenti", "commento", "lascia un commento", "lascia una risposta", "commenta",
        # pt
        "comentários", "comentário", "deixe um comentário", "deixe uma resposta", "comente",
        # ru
        "комментарии", "комментарий", "обсудить", "обсуждение", "оставить комментарий",
    ),
    # Buttons under a comment or an embedded post: furniture, but not the
    # start of a comments section (embedded tweets carry "Report" too).
    "comment-action": (
        "reply", "report", "report abuse", "report this", "cancel reply", "like", "flag", "permalink",
        "répondre", "signaler", "antworten", "melden", "responder", "denunciar", "rispondi", "segnala",
        "responder", "denunciar", "ответить", "пожаловаться",
    ),
    "related-block": (
        # en
        "related", "related articles", "related stories", "related posts", "related news",
        "related content", "related coverage", "related topics", "related people", "related links",
        "related video", "related videos", "related reading", "related items",
        "you may also like", "you might also like", "you may like", "you might like",
        "you may be interested in", "you might be interested in", "recommended", "recommended for you",
        "recommended stories", "recommended articles", "read more", "read next", "read also",
        "also read", "see also", "more stories", "more news", "more from", "more on this story",
        "more on this", "more in", "more to explore", "most popular", "most read", "most viewed",
        "most shared", "popular", "popular posts", "popular stories", "trending", "trending now",
        "trending stories", "top stories", "latest", "latest news", "latest stories", "latest posts",
        "in this article", "in this story", "what to read next", "up next", "don't miss",
        "editor's picks", "editors picks", "around the web", "from the web", "sponsored stories",
        "promoted stories", "we recommend", "further reading", "keep reading", "continue reading",
        "previous article", "next article", "previous post", "next post", "previous", "next",
        "previous story", "next story", "newer story", "older story", "newer post", "older post",
        "more like this", "also on", "elsewhere", "more videos", "watch more", "tags", "topics",
        "filed under", "categories", "category", "related searches", "similar articles",
        # fr
        "à lire aussi", "a lire aussi", "lire aussi", "lire la suite", "voir aussi", "sur le même sujet",
        "articles similaires", "articles liés", "les plus lus", "à voir aussi", "a voir aussi",
        "dans la même rubrique", "vous aimerez aussi", "ailleurs sur le web", "mots-clés",
        # de
        "das könnte sie auch interessieren", "mehr zum thema", "lesen sie auch", "auch interessant",
        "weitere artikel", "ähnliche artikel", "meistgelesen", "weiterlesen", "mehr lesen",
        "empfehlungen", "themen", "schlagworte",
        # es
        "te puede interesar", "también te puede interesar", "noticias relacionadas", "lee también",
        "leer más", "ver más", "artículos relacionados", "lo más leído", "más noticias",
        "te recomendamos", "etiquetas", "temas",
        # it
        "leggi anche", "potrebbe interessarti", "articoli correlati", "leggi di più", "più letti",
        "ti potrebbe interessare", "potrebbe interessarti anche", "argomenti",
        # pt
        "leia também", "veja também", "leia mais", "notícias relacionadas", "mais lidas",
        "você também pode gostar", "mais notícias", "posts relacionados", "artigos relacionados",
        "saiba mais",
        # ru
        "читайте также", "по теме", "похожие новости", "похожие статьи", "читать далее",
        "читать также", "смотрите также", "самое читаемое", "популярное", "новости по теме",
        "теги", "в этой статье",
    ),
    "subscription-prompt": (
        # en
        "subscribe", "subscribe now", "sign up", "sign in", "log in", "login", "log out", "logout",
        "register", "newsletter", "newsletters", "sign up for our newsletter", "get the newsletter",
        "subscribe to our newsletter", "create account", "create an account", "my account",
        "already a subscriber", "subscriber", "subscribers only", "become a member", "join now",
        "support us", "donate", "get the app", "download the app", "sign up now", "free trial",
        "start your free trial", "unlock this article", "already have an account",
        # fr
        "s'abonner", "abonnez-vous", "se connecter", "connexion", "inscription", "s'inscrire",
        "mon compte", "déjà abonné",
        # de
        "abonnieren", "jetzt abonnieren", "anmelden", "abmelden", "registrieren", "mein konto",
        "abo", "jetzt registrieren",
        # es
        "suscríbete", "suscribirse", "iniciar sesión", "registrarse", "regístrate", "mi cuenta",
        "boletín",
        # it
        "iscriviti", "abbonati", "accedi", "registrati", "il mio account",
        # pt
        "assine", "assinar", "entrar", "cadastre-se", "minha conta",
        # ru
        "подписаться", "подпишитесь", "войти", "регистрация", "вход", "выйти",
    ),
    "cookie-prompt": (
        "accept", "accept all", "accept cookies", "i accept", "agree", "i agree", "ok", "got it",
        "cookie settings", "cookie policy", "cookies", "manage cookies", "reject all",
        "privacy settings", "manage preferences", "accepter", "tout accepter", "akzeptieren",
        "alle akzeptieren", "aceptar", "accetta", "accetto", "aceitar", "принять", "согласен",
    ),
    "navigation": (
        # en
        "home", "menu", "search", "close", "open", "skip to content", "skip to main content",
        "skip navigation", "back to top", "return to top", "top", "main menu", "navigation",
        "sections", "more", "about", "about us", "contact", "contact us", "advertise",
        "advertising", "careers", "jobs", "privacy", "privacy policy", "privacy notice",
        "terms", "terms of use", "terms of service", "terms and conditions", "site map", "sitemap",
        "help", "faq", "archives", "archive", "all rights reserved", "go", "toggle navigation",
        "expand", "collapse", "loading", "advertisement", "sponsored", "sponsored content",
        "ad", "ads", "video", "videos", "photos", "gallery", "watch", "listen", "play",
        "caption", "hide caption", "toggle caption", "enlarge this image", "view gallery",
        "back to gallery", "next slide", "previous slide", "image", "photo", "view all",
        "see all", "show more", "load more", "more articles", "follow us", "follow",
        "connect", "connect with us", "feedback", "corrections", "ethics", "accessibility",
        # fr
        "accueil", "rechercher", "fermer", "publicité", "plan du site", "mentions légales",
        "nous contacter", "à propos", "haut de page",
        # de
        "startseite", "suche", "schließen", "werbung", "anzeige", "impressum", "datenschutz",
        "kontakt", "nach oben", "mehr",
        # es
        "inicio", "buscar", "cerrar", "publicidad", "contacto", "aviso legal", "política de privacidad",
        # it
        "cerca", "chiudi", "pubblicità", "contatti", "chi siamo",
        # pt
        "início", "pesquisar", "fechar", "publicidade", "contato", "fale conosco",
        # ru
        "главная", "поиск", "закрыть", "реклама", "контакты", "о нас", "меню",
    ),
})

# A line that *starts* with one of these (and is short) is the header of a
# block of page furniture, e.g. "Comments (12)", "Related: ...".
PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "comment-prompt": ("comments", "comment", "commentaires", "kommentare", "comentarios", "commenti",
                       "comentários", "комментари", "leave a reply", "leave a comment"),
    "related-block": ("related:", "read more:", "read also:", "see also:", "also read:", "more:",
                      "lire aussi", "à lire aussi", "lesen sie auch", "mehr zum thema", "lee también",
                      "leggi anche", "leia também", "veja também", "читайте также", "recommended:",
                      "related coverage", "related stories", "related articles", "more from",
                      "tags:", "topics:", "filed under", "categories:", "mots-clés", "schlagworte",
                      "in this article:", "in this story:", "see more:", "[related:", "(related:",
                      "most read", "most popular", "most viewed", "les plus lus", "meistgelesen", "lo más leído",
                      "più letti", "mais lidas", "самое читаемое"),
    "platform-credit": ("powered by", "propulsé par", "unterstützt von", "desarrollado por",
                        "realizzato con", "desenvolvido por", "работает на"),
    "copyright": ("©", "(c) ", "copyright", "all rights reserved", "tous droits réservés",
                  "alle rechte vorbehalten", "todos los derechos reservados",
                  "tutti i diritti riservati", "todos os direitos reservados", "все права защищены"),
    "subscription-prompt": ("subscribe to", "sign up for", "sign up to", "get our newsletter",
                            "abonnez-vous", "abonnieren sie", "suscríbete", "iscriviti", "assine",
                            "подпишитесь"),
    "cookie-prompt": ("we use cookies", "this site uses cookies", "this website uses cookies",
                      "by continuing to use", "by using this site", "nous utilisons des cookies",
                      "wir verwenden cookies", "utilizamos cookies", "utilizziamo i cookie",
                      "usamos cookies", "мы используем файлы cookie"),
})

# Words that mark a line as a photo credit or caption.
CREDIT_MARKERS = (
    "photo:", "photo by", "photos:", "photograph:", "image:", "image credit", "picture:", "credit:",
    "credits:", "getty images", "(getty", "(ap photo", "ap photo", "reuters/", "afp/", "afp via getty",
    "/ getty", "/getty", "shutterstock", "istock", "courtesy of", "(courtesy", "file photo", "- photo:",
    "foto:", "bild:", "imagen:", "immagine:", "fotografia:", "фото:", "фото ", "crédit", "crédito",
    "©", "(c) ",
)
CAPTION_MARKERS = ("photo:", "- photo:", "image:", "caption:", "pictured:", "foto:", "bild:", "фото:",
                   "(photo", "(foto", "(image", "(picture", "image caption ", "media caption ")

# Counter nouns (followers, views...) in several languages.
COUNTER_NOUNS = (
    "followers", "follower", "following", "posts", "post", "views", "view", "likes", "like", "shares",
    "comments", "comment", "replies", "reads", "subscribers", "fans", "members", "votes", "points",
    "abonnés", "abonnements", "vues", "partages", "j'aime", "commentaires",
    "abonnenten", "aufrufe", "kommentare", "seguidores", "vistas", "visitas", "comentarios",
    "me gusta", "seguaci", "visualizzazioni", "commenti", "mi piace", "visualizações", "curtidas",
    "comentários", "подписчики", "подписчиков", "просмотры", "просмотров", "комментарии",
    "комментариев", "min read", "minute read", "minutes read", "min", "mins", "photos", "images",
)

# Relative dates ("5 days ago") — multilingual regexes.  Never used as a date.
_UNITS_EN = r"(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?|years?|d|h|m|w|y)"
RELATIVE_DATE_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.I)
    for p in (
        r"^(?:updated\s+|posted\s+|published\s+)?(?:\d+|an?|one)\s*" + _UNITS_EN + r"\.?\s+ago$",
        r"^(?:just now|yesterday|today|moments ago|hier|aujourd'hui|gestern|heute|ayer|hoy|ieri|oggi|ontem|hoje|вчера|сегодня|только что)$",
        r"^il y a\s+\d+\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois|ans?)$",
        r"^vor\s+\d+\s+(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?)$",
        r"^hace\s+\d+\s+(?:segundos?|minutos?|horas?|días?|dias?|semanas?|mes(?:es)?|años?)$",
        r"^\d+\s+(?:secondi|minuti|ore|ora|giorni|giorno|settimane|mesi|anni)\s+fa$",
        r"^há\s+\d+\s+(?:segundos?|minutos?|horas?|dias?|semanas?|m[eê]s(?:es)?|anos?)$",
        r"^\d+\s+(?:секунд[уы]?|минут[уы]?|час(?:а|ов)?|дн(?:я|ей)|день|недел[юьи]|месяц(?:а|ев)?|год(?:а)?|лет)\s+назад$",
    )
)

# Function words (stop words) of several languages: a sentence of running
# text has many of them, a menu or a headline few.  Data, not tuned per site.
STOPWORDS: frozenset[str] = frozenset(
    """
    the a an and or but of to in on at for with from by as is are was were be been being has have had
    do does did not no it its this that these those he she they we you i his her their our your my
    him them us me who whom which what when where why how than then there here so if about into over
    after before while also just only more most some any all can could would should will may might must
    said says up out one two new other such very
    le la les un une des du de et ou mais est sont été être a ont avait il elle ils elles nous vous je
    ce cette ces qui que quoi dont où pour par sur dans avec sans sous pas ne plus son sa ses leur leurs
    au aux en y se lui comme
    der die das den dem des ein eine einer einem einen und oder aber ist sind war waren sein hat haben
    hatte er sie es wir ihr ich nicht kein keine zu im am vom zum zur mit von für auf aus bei nach über
    unter auch noch nur wie als dass wenn sich
    el los las unos unas y o pero es son fue fueron ser ha han había él ella ellos nosotros yo no lo
    con sin por para sobre entre del al se su sus que como más muy ya cuando donde porque
    il lo gli i uno e o ma è sono era stato essere ha hanno aveva lui lei loro noi io non di da con su
    per tra fra del della dei delle al alla nel nella che come più anche
    os as um uma uns umas e ou mas é são foi foram ser tem têm tinha ele ela eles nós eu não do da dos
    das no na nos nas em com sem por para pelo pela que como mais também seu sua
    и в во не на что он она оно они мы вы я с со как а то все это так его ее их но да к у же по за из от
    для о об при бы был была были быть уже или только еще ещё
    een het de en of maar is zijn was waren van voor met op aan dat die niet ook bij als
    yang dan di ke dari untuk dengan ini itu dalam tidak akan ada pada juga oleh
    atau adalah karena jadi sudah saat telah bahwa seperti kita kami saya mereka ia dia tapi tetapi
    bisa hanya lebih masih sebelum setelah sangat pun yg dgn
    """.split()
)

# Words that open a sentence continuing the one before it.  A headline
# between two paragraphs, followed by one of these, interrupts running text:
# it is an inline teaser of another story, not a sub-heading.  Data.
CONTINUATION_OPENERS: frozenset[str] = frozenset(
    """
    but however and yet so still meanwhile moreover furthermore nevertheless instead although though
    mais cependant pourtant toutefois et aber doch jedoch und allerdings pero sin embargo también
    ma però tuttavia eppure mas porém contudo entretanto но однако и а также
    """.split()
)

# Genre labels that close a headline ("… sparks fears: Analysis"): a line
# ending in one is the headline of another story.  Data, multilingual.
HEADLINE_GENRES = (
    "analysis", "opinion", "op-ed", "editorial", "explainer", "exclusive", "live updates", "podcast",
    "analyse", "tribune", "décryptage", "meinung", "kommentar", "análisis", "opinión",
    "analisi", "opinione", "commento", "análise", "opinião", "анализ", "мнение", "колонка",
)
_GENRE_SUFFIX_RE = re.compile(
    r"\S\s*[:|–—]\s*(?:" + "|".join(re.escape(g) for g in HEADLINE_GENRES) + r")\s*$", re.I)


def has_genre_suffix(s: str) -> bool:
    return bool(_GENRE_SUFFIX_RE.search(s.strip()))


# Type labels that precede entity names in "related people / in this
# article" lists (Person / Vladimir Putin).  Data, multilingual.
ENTITY_TYPES = (
    "person", "people", "country", "place", "organization", "organisation", "company", "location",
    "city", "state", "team", "topic", "event", "personne", "pays", "lieu", "organisation",
    "entreprise", "ville", "person", "land", "ort", "unternehmen", "persona", "país", "lugar",
    "empresa", "ciudad", "persona", "paese", "luogo", "azienda", "città", "pessoa", "país",
    "local", "empresa", "cidade", "персона", "страна", "место", "организация", "компания", "город",
)

# Labels that introduce a byline-like line of its own ("Source: AP").
SOURCE_CUES = ("source", "source:", "sources", "quelle", "fuente", "fonte", "источник", "via")

# ------------------------------------------------------------- predicates

_PUNCT_ENDS = " \t\u00a0|·•-–—:>»«<›‹→←↑↓▶►▸»/\\*#()[]{}\"'“”‘’.,;!?…"
SENT_END = (".", "!", "?", "…", "。", "！", "？", "\"", "”", "»", "’", "'", ")", ":", ";", "؟", "।")
_COUNTER_RE = re.compile(r"^[+\-]?\d[\d.,\s]*[kKmMbB]?\+?$")
_URL_ONLY_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_IMG_URL_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif|bmp)(?:[?#]\S*)?$|/image\.php|/images?/|/img/|\bimg\.|/photos?/|/media/", re.I)
_HASHTAG_RE = re.compile(r"#[^\s#]+")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def strip_ends(s: str) -> str:
    return s.strip(_PUNCT_ENDS)


def norm_phrase(s: str) -> str:
    """Lower-case, punctuation and counters stripped at both ends."""
    t = unicodedata.normalize("NFKC", s).lower().strip()
    t = re.sub(r"[\s(\[]*[\d.,]+[kKmM]?\+?[)\]]*\s*$", "", t)  # "Comments (12)" -> "comments"
    t = re.sub(r"^\s*[\d.,]+[kKmM]?\+?\s+", "", t)  # "12 Comments" -> "comments"
    t = strip_ends(t)
    t = re.sub(r"\s*/\s*$", "", t)
    return " ".join(t.split())


def _phrase_index() -> Mapping[str, str]:
    idx: dict[str, str] = {}
    for rule, phrases in PHRASES.items():
        for p in phrases:
            idx.setdefault(p, rule)
    return MappingProxyType(idx)


PHRASE_INDEX: Mapping[str, str] = _phrase_index()  # read-only view


NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")


def words(s: str) -> list[str]:
    """Word tokens; scripts written without spaces (Chinese, Japanese, Thai)
    count one word per two characters so that length thresholds still work."""
    out = []
    for w in _WORD_RE.findall(s):
        if len(w) > 3 and NO_SPACE_SCRIPT.search(w):
            out.extend(w[k: k + 2] for k in range(0, len(w), 2))
        else:
            out.append(w)
    return out


def phrase_rule(s: str) -> str | None:
    """Name of the furniture rule whose phrase is this whole line, else None."""
    t = norm_phrase(s)
    if not t or len(t) > 60:
        return None
    r = PHRASE_INDEX.get(t)
    if r:
        return r
    # "Comments / 1", "Share | Tweet | Email": every piece is furniture
    parts = [strip_ends(p) for p in re.split(r"\s*[|/•·]\s*|\s{2,}", t) if strip_ends(p)]
    if len(parts) > 1:
        rules = [PHRASE_INDEX.get(norm_phrase(p)) or ("counter" if _COUNTER_RE.match(p) else None) for p in parts]
        if all(rules):
            named = [r for r in rules if r != "counter"]
            return named[0] if named else "counter"
    return None


def prefix_rule(s: str) -> str | None:
    low = unicodedata.normalize("NFKC", s).lower().strip()
    if low.startswith(("©", "copyright ", "(c) ")) and len(words(low)) <= 60:
        return "copyright"
    if any(p in low for p in PREFIXES["platform-credit"]) and not low.endswith(".") and len(words(low)) <= 12:
        return "platform-credit"
    if low.startswith(PREFIXES["cookie-prompt"]):
        return "cookie-prompt"
    if len(low) > 120:
        return None
    for rule, prefixes in PREFIXES.items():
        if not low.startswith(prefixes):
            continue
        for p in prefixes:
            if low.startswith(p):
                if rule in ("copyright", "platform-credit", "cookie-prompt"):
                    return rule
                # "Comments (3)" or "Related: Foo bar" but not a sentence
                rest = low[len(p):]
                if not rest.strip() or rest[:1] in " :(-–—|/" and len(words(rest)) <= 15 and not low.endswith("."):
                    return rule
    return None


_COUNT_SUFFIX_RE = re.compile(r"\((?:\d{1,6}|\d{1,2}:\d{2})\)\s*$")
_N_COMMENTS_RE = re.compile(
    r"^\d[\d,.]*\s+(?:responses?|comments?|replies|thoughts? on|réponses?|commentaires?|kommentare?|antworten|"
    r"comentarios?|respuestas?|commenti|risposte|comentários?|respostas?|комментари\w*|ответ\w*)\b",
    re.I,
)
_COMMENT_AUTHOR_RE = re.compile(
    r"^\S+(?:\s+\S+){0,3}\s+(?:says|said|wrote|replied|dit|a dit|schreibt|sagt|dice|dijo|escribió|scrive|"
    r"ha scritto|diz|disse|escreveu|пишет|написал\w*)\s*:?\s*$",
    re.I,
)
_SHARE_CONTAINS = ("(opens in new window)", "click to share", "click to email", "click to print",
                   "share on facebook", "share on twitter", "share on linkedin", "share on whatsapp")


def is_count_suffixed(s: str) -> bool:
    """``Vikings come back to beat the Broncos (145)``: a most-read list item;
    ``What Did the Rebel Yell Sound Like? (4:22)``: a video, by its length."""
    return bool(_COUNT_SUFFIX_RE.search(s)) and len(words(s)) <= 25


def is_comment_header(s: str) -> bool:
    return bool(_N_COMMENTS_RE.match(s.strip())) and len(words(s)) <= 25


_COMMENT_STAMP_RE = re.compile(
    r"^\S+(?:\s+\S+){0,3}\s+(?:on|le|am|el|il|em)\s+(?=[^:]*\d).{4,45}?\s+(?:says|said|wrote|dit|a dit|schreibt|"
    r"sagt|dice|dijo|escribió|scrive|ha scritto|diz|disse|escreveu)\s*:\s*$",
    re.I,
)


def is_comment_author(s: str) -> bool:
    """``jdoe says:``, ``Jane Doe on May 2, 2018 at 4:47 pm said:``."""
    t = s.strip()
    return bool(_COMMENT_AUTHOR_RE.match(t) or _COMMENT_STAMP_RE.match(t))


_EMBED_ATTRIBUTION_RE = re.compile(r"^[—–-]\s*\S.{0,80}?\(@\w{1,30}\)\s+\S.{2,40}$")


def is_embed_attribution(s: str) -> bool:
    """``— Jane Doe (@jdoe) November 18, 2019``: the signature under an
    embedded post (a quoted tweet), part of the article, not a dateline."""
    return bool(_EMBED_ATTRIBUTION_RE.match(s.strip()))


def is_share_text(s: str) -> bool:
    low = s.lower()
    return any(p in low for p in _SHARE_CONTAINS) and len(words(low)) <= 14


def is_glued_teaser(s: str) -> bool:
    """``Customers Leave Without Paying $690 Bill At Troy Steakhouse A party of
    six left…``: a Title Case headline glued to its blurb (a teaser card)."""
    toks = s.split()
    if len(toks) < 12:
        return False
    run, cap_stop = 0, 0
    for k, t in enumerate(toks):
        w = t.strip("\"'“”‘’:;,.!?()[]-–—")
        if not w:
            continue
        base = re.sub(r"['’]s$", "", w)
        if len(base) >= 2 and base.isupper() and base.isalpha():
            return False  # "LOS ANGELES (AP) — To …": a dateline, not a headline
        if w[0].isupper() or w[0].isdigit() or w[0] in "$€£":
            run += 1
            if k > 0 and w.lower() in STOPWORDS and w[0].isupper():
                cap_stop += 1
        else:
            break
    return run >= 6 and cap_stop >= 1 and run < len(toks) - 4


def is_counter(s: str) -> bool:
    """``483K+``, ``12``, ``1.2M Followers``, ``5 min read``."""
    t = unicodedata.normalize("NFKC", s).strip().lower()
    if _COUNTER_RE.match(t):
        return True
    m = re.match(r"^[+\-]?\d[\d.,]*\s*[kmb]?\+?\s+(.*)$", t)
    if m and strip_ends(m.group(1)) in COUNTER_NOUNS:
        return True
    m = re.match(r"^(.*?)\s*[:(]?\s*\d[\d.,]*\s*[kmb]?\+?\)?$", t)
    if m and strip_ends(m.group(1)) in COUNTER_NOUNS:
        return True
    return strip_ends(t) in ("followers", "following", "post", "posts", "views")


def is_bare_url(s: str) -> bool:
    return bool(_URL_ONLY_RE.match(s.strip()))


def is_image_url(s: str) -> bool:
    return is_bare_url(s) and bool(_IMG_URL_RE.search(s.strip()))


def is_hashtag_line(s: str) -> bool:
    t = s.strip()
    tags = _HASHTAG_RE.findall(t)
    if not tags:
        return False
    rest = _HASHTAG_RE.sub("", t).strip(" ,;|·•")
    if t.startswith("#") and t.count("#") >= 3 and not t.endswith("."):
        return True  # "#Ukraine#Southern Russia#Nato": tags glued together
    return (len(tags) >= 2 and len(rest) <= len(t) * 0.3) or (t.startswith("#") and not rest)


def is_relative_date(s: str) -> bool:
    t = " ".join(s.strip().split())
    if len(t) > 40:
        return False
    return any(r.match(t) for r in RELATIVE_DATE_RES)


def is_credit(s: str) -> bool:
    """A photo credit: short, names an agency/photographer, not a sentence."""
    low = s.strip().lower()
    if len(low) > 160:
        return False
    if low.startswith(("©", "(c) ", "photo:", "photo by", "photos:", "credit:", "credits:", "image:",
                       "foto:", "bild:", "фото:", "image credit", "picture:", "imagen:", "crédito",
                       "crédit", "photograph:")):
        return True
    if any(m in low for m in CREDIT_MARKERS) and len(words(low)) <= 12 and not low.rstrip().endswith((".", "!", "?")):
        return True
    return False


def is_caption(s: str) -> bool:
    """A photo caption: a descriptive sentence carrying a photo marker."""
    low = s.strip().lower()
    return any(m in low for m in CAPTION_MARKERS) and len(words(low)) > 6


def stop_density(ws: list[str]) -> float:
    if not ws:
        return 0.0
    return sum(1 for w in ws if w.lower() in STOPWORDS) / len(ws)


def ends_sentence(s: str) -> bool:
    return s.rstrip().endswith(SENT_END)


def is_truncated(s: str) -> bool:
    """A teaser blurb cut off by the site: ends with ``...`` or ``…``."""
    t = s.rstrip()
    return t.endswith(("...", "…", "[…]", "[...]", "(...)")) and len(words(t)) >= 6


def is_upper_label(s: str) -> bool:
    """``POLITICS``: a short all-capitals category label."""
    t = s.strip()
    ws = words(t)
    return 1 <= len(ws) <= 4 and t.upper() == t and any(c.isalpha() for c in t) and t != t.lower()


def is_entity_type(s: str) -> bool:
    return norm_phrase(s) in ENTITY_TYPES
