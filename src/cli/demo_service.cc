#include "cli/demo_service.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

namespace custodian::demo {
namespace {

// A counter-based generator: every draw is a function of the seed and what it is for, so
// that an account's profile does not depend on the order anything else was drawn in.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Draw(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return Mix(Mix(Mix(seed ^ a) ^ b) ^ c);
}
// A draw in [0, n).
uint64_t Below(uint64_t draw, uint64_t n) { return n == 0 ? 0 : draw % n; }

struct Locale {
  const char* country;
  std::vector<std::string_view> given, family;
  bool family_first;   // 王芳, 김민준, 佐藤 花子
  const char* separator;
  const char* phone_prefix;  // E.164 country code and the fixed part of a fictional range
  int phone_digits;          // digits drawn after the prefix
  int weight;                // accounts per 100
};

// Names in many scripts, and phone numbers from ranges set aside for fiction (US 555-01xx,
// UK 07700 900xxx, AU 0491 570 xxx) or drawn in a country's mobile plan.
const std::vector<Locale>& Locales() {
  static const std::vector<Locale> locales = {
      {"US", {"Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "James", "Zoë", "Chloé", "Renée", "José"},
       {"Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "García", "Rodríguez", "Nguyễn", "O'Brien"},
       false, " ", "+1", -1, 22},
      {"MX", {"María", "José", "Sofía", "Santiago", "Valentina", "Matías", "Ximena", "Iñaki"},
       {"Hernández", "López", "Martínez", "González", "Pérez", "Sánchez", "Ramírez", "Núñez"},
       false, " ", "+52155", 8, 6},
      {"BR", {"João", "Ana", "Luíza", "Gabriel", "Conceição", "Thiago", "Letícia", "Estêvão"},
       {"Silva", "Santos", "Araújo", "Gonçalves", "Conceição", "Magalhães", "Brandão"},
       false, " ", "+55119", 8, 6},
      {"DE", {"Jürgen", "Jörg", "Käthe", "Lukas", "Mia", "Sören", "Günther", "Lea"},
       {"Müller", "Schröder", "Weiß", "Groß", "Köhler", "Schäfer", "Böhm", "Krämer"},
       false, " ", "+49151", 8, 5},
      {"FR", {"Élodie", "François", "Hélène", "Benoît", "Anaïs", "Jérôme", "Céline", "Noël"},
       {"Lefèvre", "Dupré", "Gaultier", "Bérenger", "Lemaître", "Rivière", "Chevalier"},
       false, " ", "+33639", 6, 5},
      {"ES", {"Begoña", "Íñigo", "Nuria", "Álvaro", "Lucía", "Joaquín", "Ángela", "Martí"},
       {"Muñoz", "Jiménez", "Gómez", "Peña", "Fernández", "Domínguez", "Ibáñez"},
       false, " ", "+346", 8, 4},
      {"PL", {"Łukasz", "Małgorzata", "Paweł", "Zofia", "Michał", "Jadwiga", "Wojciech", "Bożena"},
       {"Wójcik", "Kowalczyk", "Dąbrowski", "Wiśniewska", "Zieliński", "Szymańska", "Król"},
       false, " ", "+4850", 7, 4},
      {"TR", {"Çağla", "Gökhan", "Şule", "Ömer", "Ayşe", "Barış", "Gülşen", "İbrahim"},
       {"Öztürk", "Yılmaz", "Çelik", "Şahin", "Aydın", "Doğan", "Güneş", "Kılıç"},
       false, " ", "+90532", 7, 4},
      {"VN", {"Hương", "Dũng", "Thảo", "Quốc", "Ngọc", "Phương", "Tuấn", "Hằng"},
       {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ", "Bùi"},
       true, " ", "+8491", 7, 3},
      {"RU", {"Анна", "Дмитрий", "Мария", "Сергей", "Екатерина", "Алексей", "Наталья", "Иван"},
       {"Иванов", "Смирнова", "Кузнецов", "Попова", "Соколов", "Лебедева", "Козлов", "Новикова"},
       false, " ", "+7916", 7, 5},
      {"UA", {"Олена", "Тарас", "Ірина", "Богдан", "Оксана", "Юрій", "Євгенія", "Андрій"},
       {"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравчук", "Олійник", "Мельник"},
       false, " ", "+38067", 7, 3},
      {"GR", {"Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Δημήτρης", "Κατερίνα", "Σοφία", "Κώστας"},
       {"Παπαδόπουλος", "Οικονόμου", "Γεωργίου", "Νικολάου", "Βασιλείου", "Αθανασίου"},
       false, " ", "+30694", 7, 3},
      {"EG", {"محمد", "فاطمة", "أحمد", "مريم", "محمود", "نور", "يوسف", "سارة"},
       {"المصري", "حسن", "إبراهيم", "عبد الله", "السيد", "منصور", "الشريف"},
       false, " ", "+2010", 8, 4},
      {"SA", {"عبد الرحمن", "نورة", "خالد", "ريم", "فيصل", "لطيفة", "سلمان", "هيفاء"},
       {"العتيبي", "القحطاني", "الغامدي", "الشمري", "الدوسري", "الحربي"},
       false, " ", "+96650", 7, 2},
      {"AE", {"راشد", "مريم", "حمدان", "شمسة", "سعيد", "عائشة"},
       {"المنصوري", "الكعبي", "الظاهري", "النعيمي", "المهيري"},
       false, " ", "+97150", 7, 2},
      {"IL", {"נועה", "יוסף", "תמר", "אריאל", "מיכל", "דוד", "שירה", "איתי"},
       {"כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן"},
       false, " ", "+97252", 7, 3},
      {"IN", {"अनन्या", "राहुल", "प्रिया", "अर्जुन", "दीपिका", "विक्रम", "सुनीता", "आदित्य"},
       {"शर्मा", "वर्मा", "गुप्ता", "सिंह", "पटेल", "मिश्रा", "जोशी", "अग्रवाल"},
       false, " ", "+9198", 8, 6},
      {"CN", {"芳", "伟", "娜", "敏", "静", "磊", "洋", "婷", "建华", "秀英"},
       {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"},
       true, "", "+86139", 8, 5},
      {"JP", {"花子", "太郎", "陽菜", "蓮", "さくら", "翔太", "美咲", "大輝"},
       {"佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村"},
       true, " ", "+8190", 8, 3},
      {"KR", {"민준", "서연", "지호", "하은", "도윤", "수아", "예준", "지우"},
       {"김", "이", "박", "최", "정", "강", "조", "윤"},
       true, "", "+8210", 8, 3},
      {"TH", {"สมชาย", "สุดา", "ประเสริฐ", "มาลี", "วิชัย", "อรุณี", "ธนากร", "พิมพ์ชนก"},
       {"ใจดี", "ศรีสุข", "วงศ์ใหญ่", "บุญมา", "แสงทอง", "รัตนพันธ์"},
       false, " ", "+6681", 7, 3},
      {"GB", {"Oliver", "Amelia", "Siobhán", "Eóin", "Isla", "Harry", "Aoife", "Rhys"},
       {"Smith", "Jones", "Taylor", "Ó Briain", "Evans", "Thomas", "Wright", "MacDonald"},
       false, " ", "+447700", 6, 5},
  };
  return locales;
}

}  // namespace

const std::vector<Network>& Networks() {
  // Ranges of real access networks, as the default geolocation data (DB-IP Lite) places
  // them; hosting ranges (VPN exits, cloud servers) are of several countries ("" checks none).
  static const std::vector<Network> networks = {
      {"73.0.0.0/8", "US", "residential"},        {"2601::/20", "US", "residential"},
      {"172.58.0.0/15", "US", "mobile"},          {"2607:fb90::/32", "US", "mobile"},
      {"189.128.0.0/11", "MX", "residential"},    {"187.184.0.0/14", "MX", "mobile"},
      {"177.32.0.0/12", "BR", "residential"},     {"179.208.0.0/12", "BR", "mobile"},
      {"79.192.0.0/10", "DE", "residential"},     {"2003::/19", "DE", "residential"},
      {"90.32.0.0/11", "FR", "residential"},      {"2a01:cb00::/24", "FR", "residential"},
      {"83.32.0.0/11", "ES", "residential"},      {"83.0.0.0/11", "PL", "residential"},
      {"78.160.0.0/11", "TR", "residential"},     {"113.160.0.0/11", "VN", "residential"},
      {"2001:ee0::/32", "VN", "residential"},     {"95.24.0.0/13", "RU", "residential"},
      {"176.59.0.0/16", "RU", "mobile"},          {"46.211.0.0/16", "UA", "residential"},
      {"94.64.0.0/13", "GR", "residential"},      {"41.32.0.0/12", "EG", "residential"},
      {"188.48.0.0/13", "SA", "residential"},     {"94.200.0.0/13", "AE", "residential"},
      {"2.48.0.0/14", "AE", "mobile"},            {"79.176.0.0/13", "IL", "residential"},
      {"122.160.0.0/12", "IN", "residential"},    {"106.192.0.0/11", "IN", "residential"},
      {"2409:4000::/22", "IN", "mobile"},         {"116.224.0.0/12", "CN", "residential"},
      {"126.0.0.0/10", "JP", "residential"},      {"240b:10::/28", "JP", "residential"},
      {"175.192.0.0/10", "KR", "residential"},    {"2001:2d8::/32", "KR", "residential"},
      {"223.32.0.0/11", "KR", "mobile"},          {"171.96.0.0/13", "TH", "residential"},
      {"1.46.0.0/15", "TH", "mobile"},            {"86.128.0.0/10", "GB", "residential"},
      {"2a00:23c0::/28", "GB", "residential"},    {"31.64.0.0/14", "GB", "mobile"},
      {"159.203.0.0/16", "", "hosting"},          {"165.227.0.0/16", "", "hosting"},
      {"88.198.0.0/16", "", "hosting"},           {"51.68.0.0/16", "", "hosting"},
      {"185.159.156.0/22", "", "hosting"},        {"2a01:4f8::/32", "", "hosting"},
      {"2604:a880::/32", "", "hosting"},
  };
  return networks;
}

namespace {

// A network parsed: its first address and prefix length.
struct Range {
  std::array<uint8_t, 16> base{};
  bool v6 = false;
  int prefix = 0;
  const Network* network = nullptr;
};

Range ParseRange(const Network& n) {
  const std::string_view cidr = n.cidr;
  const size_t slash = cidr.find('/');
  const auto address = IpAddress::Parse(cidr.substr(0, slash));
  Range r;
  r.v6 = address->family() == IpAddress::Family::kV6;
  r.base = address->bytes();
  r.prefix = std::stoi(std::string(cidr.substr(slash + 1)));
  r.network = &n;
  return r;
}

// An address in `r`: `host` picks it. In IPv4 it avoids the network's first and last
// addresses; in IPv6 `host` picks the /64 (bits after the prefix) and `iid` the interface.
std::string AddressIn(const Range& r, uint64_t host, uint64_t iid) {
  std::array<uint8_t, 16> a = r.base;
  char text[64];
  if (!r.v6) {
    const uint32_t size = r.prefix == 0 ? 0xffffffffu : (1u << (32 - r.prefix));
    const uint32_t offset = 1 + static_cast<uint32_t>(Below(host, size - 2));
    const uint32_t v = ((uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3]) + offset;
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255);
    return text;
  }
  // The /64 under the prefix: at most 40 bits drawn (as many as the prefix leaves).
  const int free_bits = std::min(64 - r.prefix, 40);
  const uint64_t subnet = free_bits <= 0 ? 0 : Below(host, uint64_t{1} << free_bits);
  uint64_t high = 0;
  for (int i = 0; i < 8; ++i) high = (high << 8) | a[i];
  high |= subnet;
  uint64_t low = iid | 1;  // never the subnet's all-zero address
  uint16_t g[8];
  for (int i = 0; i < 4; ++i) g[i] = static_cast<uint16_t>(high >> (48 - 16 * i));
  for (int i = 0; i < 4; ++i) g[4 + i] = static_cast<uint16_t>(low >> (48 - 16 * i));
  std::snprintf(text, sizeof text, "%x:%x:%x:%x:%x:%x:%x:%x", g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]);
  return text;
}

const std::vector<Range>& Ranges() {
  static const std::vector<Range> ranges = [] {
    std::vector<Range> out;
    for (const Network& n : Networks()) out.push_back(ParseRange(n));
    return out;
  }();
  return ranges;
}

// The ranges of a country and kind (indices into Ranges()).
std::vector<size_t> RangesOf(std::string_view country, std::string_view kind) {
  std::vector<size_t> out;
  for (size_t i = 0; i < Ranges().size(); ++i) {
    const Network& n = *Ranges()[i].network;
    if (n.kind == kind && (kind == "hosting" || n.country == country)) out.push_back(i);
  }
  return out;
}

constexpr std::array<std::string_view, 8> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "ExampleMail/7.4.2 (iOS 18.1; iPhone15,2)",
    "ExampleMail/7.4.1 (Android 14; SM-S921B)",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0 Mobile Safari/537.36",
};

constexpr std::array<std::string_view, 4> kMailDomains = {"example.com", "example.net", "example.org",
                                                          "mail.example"};

// Lower-case ASCII letters of a username, from the account's draw.
std::string Handle(uint64_t draw) {
  static constexpr std::array<std::string_view, 24> kWords = {
      "kestrel", "maple", "harbor", "quill", "ember", "falcon", "juniper", "orbit",
      "pebble",  "raven", "sable",  "tide",  "willow", "cobalt", "delta", "fern",
      "granite", "heron", "iris",   "lumen", "marlin", "nova",  "otter", "pine"};
  return std::string(kWords[Below(draw, kWords.size())]) + std::string(kWords[Below(draw >> 8, kWords.size())]);
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

struct SyntheticService::Account {
  uint64_t id = 0;
  size_t locale = 0;
  std::string username, name;
  std::vector<std::string> emails;
  std::string phone;                 // the first version's
  std::optional<std::string> second_phone;  // a newer version's, from `changed_day` on
  int64_t created_days_ago = 0;
  int64_t changed_days_ago = 0;
  std::optional<std::string> earlier_phone;  // recycled: held before by another account
  int64_t recycled_days_ago = 0;             // from when this account holds it
  // Where it signs in from.
  std::vector<std::string> homes;    // one to three fixed addresses (IPv4 or an IPv6 /64 host)
  std::vector<size_t> mobile;        // the carrier's ranges; empty: none
  bool vpn = false;
  uint64_t devices = 1;
  // A trip: days before now it starts and ends, and the country's locale.
  int64_t trip_start = -1, trip_end = -1;
  size_t trip_locale = 0;
  uint64_t weight = 1;
};

ServiceSize SizeAt(double scale) {
  ServiceSize size;
  size.accounts = std::max<uint64_t>(50, static_cast<uint64_t>(std::llround(20000 * scale)));
  size.events = std::max<uint64_t>(1000, static_cast<uint64_t>(std::llround(2000000 * scale)));
  return size;
}

SyntheticService::~SyntheticService() = default;

SyntheticService::SyntheticService(uint64_t seed, ServiceSize size, Timestamp now, int64_t days)
    : seed_(seed), size_(size), now_(now), days_(std::max<int64_t>(1, days)) {
  const auto& locales = Locales();
  uint64_t total_weight = 0;
  for (const Locale& l : locales) total_weight += l.weight;
  accounts_.resize(size.accounts);
  for (uint64_t i = 0; i < size.accounts; ++i) {
    Account& a = accounts_[i];
    a.id = kFirstAccount + i;
    uint64_t pick = Below(Draw(seed, 1, i), total_weight);
    while (pick >= static_cast<uint64_t>(locales[a.locale].weight)) pick -= locales[a.locale++].weight;
    const Locale& l = locales[a.locale];
    const uint64_t d = Draw(seed, 2, i);
    const std::string_view given = l.given[Below(d, l.given.size())];
    const std::string_view family = l.family[Below(d >> 16, l.family.size())];
    a.name = l.family_first ? std::string(family) + l.separator + std::string(given)
                            : std::string(given) + l.separator + std::string(family);
    a.username = Handle(d >> 32) + std::to_string(i);
    a.emails.push_back(a.username + "@" + std::string(kMailDomains[Below(d >> 40, kMailDomains.size())]));
    if (Below(d >> 44, 4) == 0) a.emails.push_back(Handle(d >> 20) + "." + std::to_string(i) + "@example.net");
    // Numbers: fictional ranges, unique per account (the index is in them).
    if (l.phone_digits < 0) {  // US: 555-01xx under a run of area codes
      a.phone = "+1" + std::to_string(201 + (i / 100) % 700) + "55501" + (i % 100 < 10 ? "0" : "") +
                std::to_string(i % 100);
    } else {
      uint64_t space = 1;
      for (int k = 0; k < l.phone_digits; ++k) space *= 10;
      std::string digits = std::to_string((i * 7919 + 13) % space);
      a.phone = l.phone_prefix + std::string(static_cast<size_t>(l.phone_digits) - digits.size(), '0') + digits;
    }
    a.created_days_ago = 120 + static_cast<int64_t>(Below(d >> 24, 3000));
    const uint64_t h = Draw(seed, 3, i);
    const size_t home_count = 1 + Below(h, 3);
    const auto residential = RangesOf(l.country, "residential");
    for (size_t k = 0; k < home_count; ++k) {
      const Range& r = Ranges()[residential[Below(Draw(seed, 4, i, k), residential.size())]];
      a.homes.push_back(AddressIn(r, Draw(seed, 5, i, k), Draw(seed, 6, i, k)));
    }
    if (Below(h >> 8, 10) < 6) a.mobile = RangesOf(l.country, "mobile");
    a.vpn = Below(h >> 16, 100) < 8;
    a.devices = 1 + Below(h >> 24, 3);
    if (Below(h >> 32, 100) < 12 && days_ > 20) {
      a.trip_start = 3 + static_cast<int64_t>(Below(h >> 40, days_ - 20));
      a.trip_end = a.trip_start - 3 - static_cast<int64_t>(Below(h >> 48, 12));
      a.trip_end = std::max<int64_t>(a.trip_end, 0);
      a.trip_locale = Below(Draw(seed, 7, i), locales.size());
    }
    // Activity: most accounts now and then, a few every hour (a heavy tail).
    const double u = (static_cast<double>(Below(h >> 12, 1000000)) + 0.5) / 1e6;
    a.weight = static_cast<uint64_t>(std::min(1000.0, 10.0 / std::pow(u, 0.6)));
  }
  // Numbers changed and recycled: one account in fifty gave up its number months ago, and
  // another account got it some weeks later (the dates each held it are the versions').
  for (uint64_t i = 0; i + 1 < size.accounts; i += 50) {
    Account& earlier = accounts_[i];
    Account& later = accounts_[i + 25 < size.accounts ? i + 25 : i + 1];
    // Both had their accounts before either change (their first versions come first).
    earlier.created_days_ago = std::max<int64_t>(earlier.created_days_ago, 400);
    later.created_days_ago = std::max<int64_t>(later.created_days_ago, 400);
    earlier.changed_days_ago = 200 + static_cast<int64_t>(Below(Draw(seed, 8, i), 100));
    earlier.second_phone = earlier.phone + "9";  // a longer number no other account has
    later.earlier_phone = earlier.phone;
    later.recycled_days_ago = earlier.changed_days_ago - 30 - static_cast<int64_t>(Below(Draw(seed, 9, i), 60));
    recycled_.push_back({static_cast<size_t>(i), static_cast<size_t>(&later - accounts_.data())});
  }
  cumulative_weight_.reserve(accounts_.size());
  uint64_t sum = 0;
  for (const Account& a : accounts_) cumulative_weight_.push_back(sum += a.weight);
}

uint64_t SyntheticService::RecycledPhoneAccount() const {
  return accounts_[recycled_.front().second].id;
}
std::string SyntheticService::RecycledPhone() const { return accounts_[recycled_.front().first].phone; }

std::string SyntheticService::SubscriberRecords() const {
  std::string out;
  out.reserve(accounts_.size() * 300);
  const auto at = [&](int64_t days_ago) {
    return FormatDateTime(Timestamp{now_.micros - days_ago * kMicrosPerDay});
  };
  const auto record = [&](const Account& a, int64_t from_days_ago, const std::string& phone) {
    std::string emails;
    for (const std::string& e : a.emails) emails += (emails.empty() ? "" : ",") + JsonString(e);
    out += "{\"account_id\":" + std::to_string(a.id) + ",\"effective_from\":\"" + at(from_days_ago) +
           "\",\"username\":" + JsonString(a.username) + ",\"name\":" + JsonString(a.name) +
           ",\"emails\":[" + emails + "],\"phones\":[" + JsonString(phone) + "],\"created_at\":\"" +
           at(a.created_days_ago) + "\",\"status\":\"active\"}\n";
  };
  // The first versions of all, then the changes, so that each account's versions come in
  // order of their dates. A version no newer one superseded is kept whatever its age: the
  // oldest an account's first version starts is within the subscriber retention period.
  for (const Account& a : accounts_) {
    record(a, std::min<int64_t>(a.created_days_ago, 330), a.phone);
  }
  for (const Account& a : accounts_) {
    if (a.second_phone) record(a, a.changed_days_ago, *a.second_phone);
  }
  for (const Account& a : accounts_) {
    if (a.earlier_phone) record(a, a.recycled_days_ago, *a.earlier_phone);
  }
  return out;
}

const SyntheticService::Account& SyntheticService::Pick(uint64_t draw) const {
  const uint64_t target = Below(draw, cumulative_weight_.back());
  const size_t i = std::upper_bound(cumulative_weight_.begin(), cumulative_weight_.end(), target) -
                   cumulative_weight_.begin();
  return accounts_[i];
}

uint64_t SyntheticService::EventsOfDay(int64_t day, std::string& out) const {
  // Day 0 is the oldest; the last day ends a minute before now.
  const uint64_t per_day = size_.events / days_, extra = size_.events % days_;
  const uint64_t count = per_day + (static_cast<uint64_t>(day) < extra ? 1 : 0);
  const int64_t days_ago = days_ - 1 - day;
  const int64_t end = now_.micros - kMicrosPerMinute - days_ago * kMicrosPerDay;
  const int64_t start = end - kMicrosPerDay;
  const auto& locales = Locales();
  const auto hosting = RangesOf("", "hosting");
  static constexpr std::array<std::string_view, 20> kKinds = {
      "login", "login", "login", "login", "login", "login", "login", "session_refresh", "session_refresh",
      "session_refresh", "session_refresh", "session_refresh", "logout", "logout", "logout", "failed_login",
      "failed_login", "login", "login", "password_change"};
  char line[512];
  for (uint64_t n = 0; n < count; ++n) {
    const uint64_t d = Draw(seed_, 10, static_cast<uint64_t>(day), n);
    const Account& a = Pick(d);
    const size_t ai = static_cast<size_t>(a.id - kFirstAccount);
    const uint64_t e = Draw(seed_, 11, static_cast<uint64_t>(day), n);
    const int64_t ts = start + static_cast<int64_t>(Below(e, kMicrosPerDay));
    const uint64_t device = Below(e >> 20, a.devices);
    std::string ip;
    const uint64_t where = Below(e >> 28, 100);
    const bool travelling = a.trip_start >= 0 && days_ago <= a.trip_start && days_ago >= a.trip_end;
    if (travelling) {
      // Abroad: a hotel's or a café's network, or a local carrier's.
      const Locale& l = locales[a.trip_locale];
      auto ranges = RangesOf(l.country, where < 40 ? "mobile" : "residential");
      if (ranges.empty()) ranges = RangesOf(l.country, "residential");
      ip = AddressIn(Ranges()[ranges[Below(e >> 36, ranges.size())]], Draw(seed_, 12, ai, where % 4),
                     Draw(seed_, 13, ai, device));
    } else if (a.vpn && where < 15) {
      // A VPN's exit: a few addresses of a hosting range, shared by all its users.
      ip = AddressIn(Ranges()[hosting[Below(e >> 36, hosting.size())]], Below(e >> 44, 8), Below(e >> 50, 4));
    } else if (!a.mobile.empty() && where < 45) {
      // The carrier's NAT: a pool of a few dozen public addresses for all its subscribers
      // (IPv6: a /64 per device and day).
      const Range& r = Ranges()[a.mobile[Below(e >> 36, a.mobile.size())]];
      ip = r.v6 ? AddressIn(r, Draw(seed_, 14, ai, static_cast<uint64_t>(day)), Draw(seed_, 15, ai, device))
                : AddressIn(r, Below(e >> 40, 32), 0);
    } else {
      ip = a.homes[Below(e >> 36, a.homes.size())];
    }
    const std::string_view kind = kKinds[Below(e >> 52, kKinds.size())];
    const std::string_view agent = kUserAgents[Below(Draw(seed_, 16, ai, device), kUserAgents.size())];
    const int written = std::snprintf(
        line, sizeof line,
        "{\"account_id\":%llu,\"ts\":\"%s\",\"kind\":\"%.*s\",\"ip\":\"%s\",\"port\":%u,\"user_agent\":\"%.*s\","
        "\"device_id\":\"d%llx\"}\n",
        static_cast<unsigned long long>(a.id), FormatDateTimeMicros(Timestamp{ts}).c_str(),
        static_cast<int>(kind.size()), kind.data(), ip.c_str(), static_cast<unsigned>(1024 + Below(e >> 8, 64000)),
        static_cast<int>(agent.size()), agent.data(),
        static_cast<unsigned long long>(Draw(seed_, 17, ai, device) >> 16));
    out.append(line, static_cast<size_t>(written));
  }
  return count;
}

}  // namespace custodian::demo
