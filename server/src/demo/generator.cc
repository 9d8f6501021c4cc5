// Seeded demo district: the org/place plan and each community's residents (see generator.h).
#include "demo/generator.h"

#include <algorithm>
#include <initializer_list>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "common/id_number.h"

namespace linli::demo {
namespace {

// ---- Random numbers -------------------------------------------------------------------------

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** seeded through SplitMix64; one independent stream per (seed, community, purpose).
// Written out rather than taken from <random> so that every platform draws the same numbers.
class Rng {
 public:
  Rng(uint64_t seed, uint64_t community_idx, uint64_t stream) {
    uint64_t x = seed;
    x = SplitMix64(x) ^ ((community_idx + 1) * 0xd1b54a32d192ed03ULL);
    x = SplitMix64(x) ^ ((stream + 1) * 0x8cb92ba72f3d8dd7ULL);
    for (uint64_t& s : s_) s = SplitMix64(x);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1)));
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

enum Stream : uint64_t { kStreamHouseholds = 1, kStreamLayout = 2, kStreamPeople = 3 };

// ---- Weighted tables --------------------------------------------------------------------------

// Items with integer weights, drawn by binary search over the cumulative weights.
class Picker {
 public:
  void Add(std::string text, uint32_t weight) {
    items_.push_back(std::move(text));
    total_ += weight;
    cumulative_.push_back(total_);
  }
  size_t PickIndex(Rng& rng) const {
    const uint32_t r = rng.Below(total_);
    return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), r) -
                               cumulative_.begin());
  }
  const std::string& Pick(Rng& rng) const { return items_[PickIndex(rng)]; }

 private:
  std::vector<std::string> items_;
  std::vector<uint32_t> cumulative_;
  uint32_t total_ = 0;
};

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n')) ++pos;
    size_t end = pos;
    while (end < text.size() && text[end] != ' ' && text[end] != '\n') ++end;
    if (end > pos) words.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

uint32_t ParseWeight(std::string_view digits) {
  uint32_t weight = 0;
  for (char digit : digits) weight = weight * 10 + static_cast<uint32_t>(digit - '0');
  return weight;
}

// "王 7250 李 7190 …": items alternating with their weights.
Picker WeightedList(std::string_view text) {
  Picker picker;
  const std::vector<std::string_view> words = SplitWords(text);
  for (size_t word_idx = 0; word_idx + 1 < words.size(); word_idx += 2) {
    picker.Add(std::string(words[word_idx]), ParseWeight(words[word_idx + 1]));
  }
  return picker;
}

// Items listed most common first, weighted like a Zipf law (rank + 6)⁻¹.
Picker ZipfList(std::string_view text) {
  Picker picker;
  const std::vector<std::string_view> words = SplitWords(text);
  for (size_t rank = 0; rank < words.size(); ++rank) {
    picker.Add(std::string(words[rank]), static_cast<uint32_t>(600000 / (rank + 6)));
  }
  return picker;
}

std::vector<std::string> WordList(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view word : SplitWords(text)) out.emplace_back(word);
  return out;
}

// ---- Data -------------------------------------------------------------------------------------

// Surnames with approximate national shares per 100,000 (公安部 surname reports; 闫/阎 and 付/傅
// split), the top ~100 followed by less common ones, compound surnames and surnames with special
// readings (单 shan, 曾 zeng, 覃 qin, 解 xie, 仇 qiu, 区 ou, 查 zha, 乐 yue, 朴 piao, 盖 ge).
constexpr std::string_view kSurnames = R"(
王 7250 李 7190 张 6830 刘 5380 陈 4530 杨 3080 赵 2290 黄 2230 周 2050 吴 2050 徐 1670 孙 1540
马 1460 胡 1310 朱 1300 郭 1150 何 1140 高 1080 林 1050 罗 1040 郑 880 梁 860 谢 720 宋 700 唐 690
许 660 韩 650 冯 640 邓 630 曹 620 彭 590 曾 560 肖 550 田 530 董 530 袁 500 潘 500 于 500 蒋 490
蔡 480 余 480 杜 470 叶 460 程 450 苏 420 魏 410 吕 410 丁 400 任 390 沈 380 姚 370 卢 370 姜 360
崔 350 钟 340 谭 330 陆 330 汪 320 范 310 金 300 石 300 廖 300 贾 290 夏 280 韦 280 付 270 方 270
白 260 邹 260 孟 250 熊 250 秦 240 邱 240 江 240 尹 240 薛 230 闫 120 阎 110 段 220 雷 220 侯 220
龙 210 史 210 陶 200 黎 200 贺 200 顾 190 毛 190 郝 190 龚 180 邵 180 万 180 钱 170 严 170 覃 170
武 170 戴 160 莫 160 孔 160 向 150 汤 150 常 140 温 140 康 150 施 130 文 130 牛 120 樊 110 葛 110
邢 110 安 110 齐 110 易 130 乔 120 伍 100 庞 100 颜 100 倪 100 庄 90 聂 90 章 90 鲁 90 岳 90
翟 80 殷 80 申 80 耿 80 关 90 焦 80 赖 130 洪 120 傅 60 詹 70 兰 70 俞 70 左 70 包 70 佟 50
柳 60 甘 60 祝 60 宁 60 尚 60 符 60 舒 60 阮 50 柯 50 纪 50 梅 50 童 50 凌 50 毕 50 满 40
单 30 解 30 仇 30 查 25 乐 20 区 10 朴 30 盖 15 欧 40 那 20
欧阳 40 上官 8 司马 8 司徒 8 诸葛 6 皇甫 6 东方 5 令狐 4 慕容 4 夏侯 4 尉迟 3 公孙 3 宇文 3
长孙 3 呼延 3 端木 3
)";

// Given names by sex and birth cohort (≤1969, 1970–1994, ≥1995), most common first: one-character
// names, whole two-character names, and first characters that combine with a one-character name.
constexpr std::string_view kMaleSingle[3] = {
    "明 伟 军 华 平 强 刚 勇 建 国 林 斌 杰 波 文 海 忠 成 峰 亮 辉 东 新 力 健 光 春 宏 庆 生 山 "
    "民 "
    "利 荣 胜 祥 福 全 德 才",
    "伟 磊 涛 强 军 勇 杰 鹏 斌 超 浩 亮 刚 明 辉 峰 鑫 宇 波 俊 帅 飞 龙 健 凯 晨 阳 博 旭 昊 琦 "
    "威 "
    "毅 东 林 丹 坤 雷 锋 岩",
    "浩 宇 轩 杰 博 鑫 睿 哲 晨 昊 凯 阳 涛 航 豪 宁 瑞 帆 铭 远 昕 泽 然 辰 逸 涵 楠 奇 皓 硕 毅 "
    "杨 "
    "嘉 晗 骏 恒"};
constexpr std::string_view kMaleWhole[3] = {
    "建国 建华 国强 建军 志强 国庆 建平 志明 德明 振华 立新 卫东 卫国 红军 建设 宝山 长林 金生 "
    "福生 "
    "国华 建新 永强 玉林 树林 春生 学军 海军 文华 志刚 建林 国平 德华 永刚 庆华 跃进",
    "志强 海涛 建华 晓东 志刚 永刚 文博 俊杰 晓明 海龙 建伟 晓峰 振宇 鹏飞 伟强 海波 文杰 宏伟 "
    "少华 "
    "国栋 小龙 云飞 志勇 建宇 晓伟 金龙 宏亮 海峰 明辉 天宇 家豪 子健 晓光 立伟 俊峰",
    "浩然 子轩 宇轩 梓豪 子豪 浩宇 俊熙 宇航 一鸣 博文 子墨 浩轩 梓睿 皓轩 明轩 铭泽 天佑 思远 "
    "睿泽 "
    "梓航 奕辰 宇辰 俊杰 子睿 嘉豪 文轩 一帆 泽宇 宇泽 博涵 思源 昊然 逸飞 子骞 承泽"};
constexpr std::string_view kMaleFirst[3] = {
    "建 国 志 永 德 振 立 卫 红 文 宝 长 金 福 玉 树 庆 春 学 海 明 新 跃 胜 兴",
    "志 海 晓 建 文 俊 振 鹏 伟 宏 少 国 小 云 明 天 家 子 嘉 泽 金 立 永 春 宇",
    "子 浩 宇 梓 俊 一 博 明 天 思 睿 奕 嘉 文 皓 泽 家 逸 晨 锦 承 昊 铭 雨 沐"};
constexpr std::string_view kFemaleSingle[3] = {
    "芳 秀 英 华 玲 霞 红 萍 丽 敏 燕 静 琴 梅 兰 珍 凤 荣 娟 云 莲 洁 杰 慧 平 琳 艳 菊 琼 芬 "
    "君 波 青 桂 香",
    "芳 娜 敏 静 丽 艳 娟 霞 燕 婷 雪 慧 颖 琳 莉 倩 晶 洁 佳 丹 瑶 璐 蕾 薇 妍 玲 红 超 楠 媛 琦 "
    "莹 萌 爽 菲 磊",
    "欣 怡 琳 雪 婷 悦 妍 萱 涵 琪 瑶 楠 璐 佳 宁 静 蕊 彤 菲 颖 晴 婧 雯 茜 畅 冉 阳 月 玥 童 "
    "洋 然 丹 钰"};
constexpr std::string_view kFemaleWhole[3] = {
    "秀英 桂英 秀兰 玉兰 桂兰 淑珍 凤英 玉珍 秀珍 桂珍 淑兰 玉梅 秀云 桂芳 淑英 丽华 秀华 凤兰 "
    "玉英 "
    "素芳 翠花 桂荣 秀荣 淑芬 美兰 金凤 春梅 玉华 秀芳 丽萍 红梅 淑华 凤霞 玉芬 秀梅",
    "丽娜 海燕 晓燕 丽丽 婷婷 晓丽 红梅 玉婷 雪梅 春燕 晓红 丽娟 美玲 小红 佳佳 慧敏 晓雪 雅琴 "
    "倩倩 "
    "文静 晓静 思思 丹丹 晓婷 丽萍 艳红 海霞 晓梅 亚楠 雪莲 静静 雅丽 晓娟 春霞 秀丽",
    "子涵 欣怡 梓涵 诗涵 梓萱 雨涵 一诺 可馨 欣妍 紫涵 思涵 雨欣 佳怡 梦琪 语桐 诗琪 若汐 心怡 "
    "雨桐 "
    "思雨 艺涵 钰彤 依诺 静怡 佳琪 雨萱 梓琪 诗雨 欣然 可欣 雨晴 思琪 子萱 梦瑶 语嫣"};
constexpr std::string_view kFemaleFirst[3] = {
    "秀 桂 玉 淑 凤 丽 素 翠 美 金 春 红 彩 月 银 爱 兰 秋 雪 惠 冬 海 小 晓 建",
    "丽 晓 海 婷 红 雪 春 美 小 佳 慧 雅 思 文 静 玉 秀 明 金 艳 亚 佩 燕 晶 梦",
    "子 欣 梓 诗 雨 一 可 紫 思 佳 梦 语 若 心 艺 钰 依 静 雅 馨 沐 安 乐 嘉 雪"};

// GB/T 3304 names with shares per 10,000 (Beijing: ~92% 汉族, then 满 回 蒙古 朝鲜 …).
constexpr std::string_view kEthnicities = R"(
汉族 9200 满族 250 回族 200 蒙古族 90 朝鲜族 50 壮族 35 土家族 30 苗族 25 藏族 20 维吾尔族 20
彝族 15 布依族 10 侗族 8 白族 8 瑶族 6 锡伯族 5 畲族 3 哈尼族 3 哈萨克族 3 达斡尔族 3 土族 2 傣族 2
黎族 2 纳西族 2 羌族 2 仡佬族 1 鄂温克族 1 赫哲族 1
)";

// The district and its real street offices (街道 first, then 地区办事处), in code order.
constexpr std::string_view kDistrictCode = "110105";
constexpr std::string_view kDistrictName = "朝阳区";
constexpr std::string_view kStreetNames = R"(
建外街道 朝外街道 呼家楼街道 三里屯街道 左家庄街道 香河园街道 和平街街道 安贞街道 亚运村街道 小关街道
酒仙桥街道 麦子店街道 团结湖街道 六里屯街道 八里庄街道 双井街道 劲松街道 潘家园街道 垡头街道
首都机场街道 望京街道 大屯街道 奥运村街道 东湖街道 南磨房地区 高碑店地区 将台地区 太阳宫地区
小红门地区 十八里店地区 平房地区 东风地区 来广营地区 常营地区 三间房地区 管庄地区 金盏地区 孙河地区
崔各庄地区 东坝地区 黑庄户地区 豆各庄地区 王四营地区
)";

// Estate names are a two-character prefix plus a suffix; no ASCII digits, so that an address
// splits unambiguously at the building number. The community is named after its first estate.
constexpr std::string_view kEstatePrefixes = R"(
幸福 和平 阳光 金台 团结 光华 富力 华润 望京 东湖 建国 安华 惠新 芍药 太阳 柳芳 京旺 丽水 碧水
翠城 金色 百子 紫薇 锦绣 新华 红庙 延静 关东 农光 武圣 华威 松榆 双花 富源 康城 青年 远洋 珠江
首城 金隅 万科 保利 天通 华侨 绿洲 怡景 枫林 静安 和谐 安康 春晖 秋实 嘉和 瑞祥 福顺 永安 长青
东风 红星 胜利 友谊 先锋 前进 向阳 朝晖 曙光 民主 育新 文化 科技 花家 甜水 西坝 南湖 北苑 东坝
水碓 道家 八里 石佛 广渠 百环 兴隆 金蝉 欢乐 燕保 泛海 国风 珠光 海晟 天居 祥和
)";
constexpr std::string_view kEstateSuffixes =
    "小区 里小区 家园 花园 新村 苑 嘉园 雅苑 公寓 东里 西里 北里 南里 名苑 华庭 新城";

// Roads for hukou addresses outside Beijing.
constexpr std::string_view kRoads =
    "建设路 人民路 解放路 中山路 和平路 胜利街 新华路 光明街 东风路 文化路 团结路 红旗街 友谊路 "
    "长江路 黄河路 朝阳路 北京路 青年路 工农路 幸福街";

// Beijing county codes (GB/T 2260, including pre-2010 codes still carried by older ID numbers),
// the district a hukou address names for them today, and how often a resident of 朝阳区 who is
// not registered in 朝阳区 carries each.
constexpr std::string_view kBeijingCodes = R"(
110101东城区 10 110102西城区 10 110108海淀区 15 110106丰台区 12 110107石景山区 5 110109门头沟区 2
110111房山区 4 110112通州区 10 110113顺义区 6 110114昌平区 10 110115大兴区 8 110116怀柔区 2
110117平谷区 2 110118密云区 2 110119延庆区 2 110103东城区 4 110104西城区 4 110221昌平区 2
110224大兴区 2
)";
// With more than one ID group (see IdGroups) each group owns four of these codes, its first one
// playing the part of 110105.
constexpr int kBeijingGroups[5][4] = {{110105, 110101, 110102, 110108},
                                      {110106, 110107, 110109, 110111},
                                      {110112, 110113, 110114, 110115},
                                      {110116, 110117, 110118, 110119},
                                      {110103, 110104, 110221, 110224}};

// Where migrants (and residents who moved their hukou to Beijing) come from, one city a line:
// the prefix of a hukou address there, a weight, and five county codes with their names.
constexpr std::string_view kSourceCities = R"(
河北省石家庄市 70 130102长安区 130104桥西区 130105新华区 130108裕华区 130107井陉矿区
河北省保定市 80 130602竞秀区 130606莲池区 130607满城区 130608清苑区 130609徐水区
河北省唐山市 40 130202路南区 130203路北区 130204古冶区 130205开平区 130207丰南区
河北省邯郸市 40 130402邯山区 130403丛台区 130404复兴区 130406峰峰矿区 130407肥乡区
河南省郑州市 50 410102中原区 410103二七区 410104管城回族区 410105金水区 410106上街区
河南省周口市 50 411602川汇区 411621扶沟县 411622西华县 411623商水县 411624沈丘县
河南省南阳市 30 411302宛城区 411303卧龙区 411321南召县 411322方城县 411323西峡县
山东省济南市 40 370102历下区 370103市中区 370104槐荫区 370105天桥区 370112历城区
山东省临沂市 30 371302兰山区 371311罗庄区 371312河东区 371321沂南县 371322郯城县
安徽省合肥市 30 340102瑶海区 340103庐阳区 340104蜀山区 340111包河区 340121长丰县
安徽省阜阳市 30 341202颍州区 341203颍东区 341204颍泉区 341221临泉县 341222太和县
湖北省武汉市 30 420102江岸区 420103江汉区 420104硚口区 420105汉阳区 420106武昌区
四川省成都市 30 510104锦江区 510105青羊区 510106金牛区 510107武侯区 510108成华区
湖南省长沙市 20 430102芙蓉区 430103天心区 430104岳麓区 430105开福区 430111雨花区
江西省南昌市 15 360102东湖区 360103西湖区 360104青云谱区 360111青山湖区 360121南昌县
广西壮族自治区南宁市 10 450102兴宁区 450103青秀区 450105江南区 450107西乡塘区 450108良庆区
重庆市 15 500101万州区 500102涪陵区 500103渝中区 500104大渡口区 500105江北区
天津市 25 120101和平区 120102河东区 120103河西区 120104南开区 120105河北区
山西省太原市 20 140105小店区 140106迎泽区 140107杏花岭区 140108尖草坪区 140109万柏林区
辽宁省沈阳市 15 210102和平区 210103沈河区 210104大东区 210105皇姑区 210106铁西区
黑龙江省哈尔滨市 25 230102道里区 230103南岗区 230104道外区 230108平房区 230109松北区
陕西省西安市 15 610102新城区 610103碑林区 610104莲湖区 610111灞桥区 610112未央区
)";
constexpr int kCountiesPerCity = 5;

// "110101东城区" → {110101, "东城区"}.
struct County {
  int code = 0;
  std::string name;
};
County ParseCounty(std::string_view word) {
  County county;
  for (char digit : word.substr(0, 6)) county.code = county.code * 10 + (digit - '0');
  county.name = std::string(word.substr(6));
  return county;
}

struct SourceCity {
  std::string prefix;  // 河北省石家庄市
  County counties[kCountiesPerCity];
};

// Mobile prefixes in use (中国移动, 联通, 电信, 广电).
constexpr int kMobilePrefixes[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 147, 150, 151,
                                   152, 153, 155, 156, 157, 158, 159, 166, 173, 175, 176, 177, 178,
                                   180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198, 199};

// Column values (labels of the code tables).
constexpr const char* kGrad = "研究生教育";
constexpr const char* kBachelor = "大学本科教育";
constexpr const char* kCollege = "大学专科教育";
constexpr const char* kVocational = "中等职业教育";
constexpr const char* kHighSchool = "普通高级中学教育";
constexpr const char* kJunior = "初级中学教育";
constexpr const char* kPrimary = "小学教育";
constexpr const char* kEducationLevels[] = {kGrad,       kBachelor, kCollege, kVocational,
                                            kHighSchool, kJunior,   kPrimary};
// Adult education weights over kEducationLevels by birth cohort (locals / migrants).
constexpr uint32_t kLocalEducation[5][7] = {{14, 42, 18, 7, 10, 8, 1},   // born ≥ 1990
                                            {10, 35, 20, 8, 14, 12, 1},  // 1975–1989
                                            {3, 15, 18, 10, 24, 25, 5},  // 1960–1974
                                            {1, 8, 10, 8, 25, 33, 15},   // 1945–1959
                                            {1, 6, 6, 5, 16, 30, 36}};   // before 1945
constexpr uint32_t kMigrantEducation[3][7] = {
    {3, 20, 22, 12, 18, 22, 3}, {1, 10, 15, 10, 22, 35, 7}, {0, 3, 5, 6, 20, 44, 22}};

constexpr std::string_view kWorkHighEducation =
    "职员 34 专业技术人员 24 企业管理人员 10 国家公务员 5 自由职业者 8 个体经营者 5 "
    "工人 4 无业人员 7 现役军人 1 其他 2";
constexpr std::string_view kWorkLowEducation =
    "工人 28 职员 22 个体经营者 14 自由职业者 8 无业人员 18 专业技术人员 3 其他 5 农民 2";
constexpr std::string_view kMigrantWorkHighEducation =
    "职员 35 专业技术人员 20 企业管理人员 6 自由职业者 12 个体经营者 12 工人 6 无业人员 7 其他 2";
constexpr std::string_view kMigrantWorkLowEducation =
    "工人 35 个体经营者 24 自由职业者 14 职员 10 无业人员 9 农民 5 其他 3";
constexpr std::string_view kRetired = "退（离）休人员 90 无业人员 9 个体经营者 1";
constexpr std::string_view kMigrantRetired = "无业人员 55 退（离）休人员 30 农民 15";
constexpr std::string_view kDemocraticParties =
    "民盟盟员 3 九三学社社员 3 民进会员 2 民建会员 1 农工党党员 1 致公党党员 1 民革会员 1";

// Household shapes. `roles`, after the head: S spouse of the head, C child of the head (and
// spouse), D spouse of the first child, G child of the first child (and D), P parent of the head
// (or of the spouse), B sibling of the head, O non-relative.
struct Shape {
  const char* roles;
  int head_lo, head_hi;  // head's age range
  double head_male;      // probability that the head is a man
  bool skew_young;       // head's age skewed towards head_lo (elderly ranges)
  uint32_t weight;       // within its size
};
constexpr int kMaxSize = 6;
// Owner-occupied (local) and rented households, by size 1..6.
const std::vector<Shape> kOwnerShapes[kMaxSize] = {
    {{"", 65, 99, 0.35, true, 44}, {"", 22, 59, 0.55, false, 56}},
    {{"S", 62, 94, 0.78, false, 20},
     {"S", 23, 36, 0.75, false, 22},
     {"S", 37, 59, 0.75, false, 22},
     {"C", 30, 52, 0.3, false, 10},
     {"P", 30, 62, 0.5, false, 8},
     {"C", 66, 95, 0.4, false, 10}},
    {{"SC", 26, 50, 0.75, false, 62},
     {"SC", 51, 60, 0.75, false, 8},
     {"SP", 30, 60, 0.75, false, 8},
     {"SC", 60, 85, 0.8, true, 8},
     {"CC", 30, 50, 0.3, false, 5},
     {"CG", 55, 82, 0.4, false, 7}},
    {{"SCC", 30, 50, 0.75, false, 49},
     {"SCP", 30, 58, 0.75, false, 20},
     {"SCD", 50, 78, 0.8, false, 11},
     {"SCG", 50, 78, 0.8, false, 20}},
    {{"SCPP", 30, 52, 0.75, false, 35},
     {"SCDG", 50, 78, 0.8, false, 45},
     {"SCCP", 32, 55, 0.75, false, 20}},
    {{"SCDGG", 50, 78, 0.8, false, 50},
     {"SCCPP", 32, 52, 0.75, false, 30},
     {"SCDGP", 50, 68, 0.8, false, 20}}};
const std::vector<Shape> kRentedShapes[kMaxSize] = {
    {{"", 19, 50, 0.6, false, 100}},
    {{"S", 22, 45, 0.7, false, 55},
     {"O", 19, 40, 0.55, false, 25},
     {"B", 19, 40, 0.55, false, 10},
     {"C", 28, 45, 0.35, false, 10}},
    {{"SC", 24, 45, 0.7, false, 75},
     {"OO", 19, 35, 0.55, false, 15},
     {"SB", 24, 40, 0.7, false, 10}},
    {{"SCC", 28, 45, 0.7, false, 60}, {"SCP", 28, 45, 0.7, false, 40}},
    {{"SCCP", 30, 45, 0.7, false, 100}},
    {{"SCCPP", 30, 45, 0.7, false, 100}}};
constexpr uint32_t kOwnerSizeWeights[kMaxSize] = {20, 31, 29, 11, 6, 3};
constexpr uint32_t kRentedSizeWeights[kMaxSize] = {32, 30, 26, 9, 3, 0};
constexpr double kRentedShare = 0.125;    // of households: ~12% of all rooms
constexpr double kVacantShare = 0.05;     // of rooms
constexpr double kMigrantShare = 0.8;     // of rented households; the rest are Beijing residents
constexpr double kOwnerAwayShare = 0.12;  // owner households whose hukou is elsewhere in Beijing

constexpr int kGridsPerCommunity = 8;
constexpr int kEstateSlots = 8;  // estates per community at most
constexpr int64_t kSingleCommunityMax = 30000;
constexpr int64_t kResidentsPerCommunity = 10000;
constexpr int64_t kCommunitiesPerStreet = 10;
constexpr int64_t kMaxStreets = 99;  // 街道 codes 001–099
constexpr int kLanes = 499;          // ID sequence lanes: men 2l+1, women 2l+2
constexpr int kIdGroups = 5;

// Column positions (data/registry/columns.csv order).
enum Column : size_t {
  kName,
  kIdNumberCol,
  kGender,
  kBirthDate,
  kEthnicity,
  kPolitical,
  kEducation,
  kMarital,
  kOccupation,
  kPhone,
  kHukou,
  kAddress,
  kGrid,
  kHouseholdNumber,
  kRelation,
  kResidenceStatus,
  kOccupancy,
  kColumnCount
};

struct Tables {
  Picker surnames;
  Picker single[2][3], whole[2][3], first[2][3];  // [male][cohort]
  Picker ethnicities;
  std::vector<std::string> streets, invented_streets, estate_prefixes, estate_suffixes, roads;
  std::vector<County> beijing;  // kBeijingCodes
  Picker beijing_picker;        // index into `beijing`
  std::vector<SourceCity> cities;
  Picker city_picker;  // index into `cities`
  Picker local_education[5], migrant_education[3];
  Picker work_high, work_low, migrant_work_high, migrant_work_low, retired, migrant_retired;
  Picker parties;
  Picker owner_sizes, rented_sizes;
  std::vector<Picker> owner_shapes, rented_shapes;  // per size - 1: index into k*Shapes[size - 1]

  Tables() {
    surnames = WeightedList(kSurnames);
    for (int cohort = 0; cohort < 3; ++cohort) {
      single[1][cohort] = ZipfList(kMaleSingle[cohort]);
      whole[1][cohort] = ZipfList(kMaleWhole[cohort]);
      first[1][cohort] = ZipfList(kMaleFirst[cohort]);
      single[0][cohort] = ZipfList(kFemaleSingle[cohort]);
      whole[0][cohort] = ZipfList(kFemaleWhole[cohort]);
      first[0][cohort] = ZipfList(kFemaleFirst[cohort]);
    }
    ethnicities = WeightedList(kEthnicities);
    streets = WordList(kStreetNames);
    estate_prefixes = WordList(kEstatePrefixes);
    // Invented street names for plans with more streets than 朝阳区 has (never a real one).
    for (const std::string& prefix : estate_prefixes) {
      std::string name = prefix + "街道";
      if (std::find(streets.begin(), streets.end(), name) == streets.end()) {
        invented_streets.push_back(std::move(name));
      }
    }
    estate_suffixes = WordList(kEstateSuffixes);
    roads = WordList(kRoads);
    const std::vector<std::string_view> beijing_words = SplitWords(kBeijingCodes);
    for (size_t word_idx = 0; word_idx + 1 < beijing_words.size(); word_idx += 2) {
      beijing_picker.Add("", ParseWeight(beijing_words[word_idx + 1]));
      beijing.push_back(ParseCounty(beijing_words[word_idx]));
    }
    for (std::string_view line : SplitLines(kSourceCities)) {
      const std::vector<std::string_view> words = SplitWords(line);
      SourceCity city;
      city.prefix = std::string(words[0]);
      city_picker.Add("", ParseWeight(words[1]));
      for (int county_idx = 0; county_idx < kCountiesPerCity; ++county_idx) {
        city.counties[county_idx] = ParseCounty(words[static_cast<size_t>(2 + county_idx)]);
      }
      cities.push_back(std::move(city));
    }
    for (int cohort = 0; cohort < 5; ++cohort) {
      for (int level = 0; level < 7; ++level) {
        local_education[cohort].Add(kEducationLevels[level], kLocalEducation[cohort][level]);
        if (cohort < 3) {
          migrant_education[cohort].Add(kEducationLevels[level], kMigrantEducation[cohort][level]);
        }
      }
    }
    work_high = WeightedList(kWorkHighEducation);
    work_low = WeightedList(kWorkLowEducation);
    migrant_work_high = WeightedList(kMigrantWorkHighEducation);
    migrant_work_low = WeightedList(kMigrantWorkLowEducation);
    retired = WeightedList(kRetired);
    migrant_retired = WeightedList(kMigrantRetired);
    parties = WeightedList(kDemocraticParties);
    for (int size_idx = 0; size_idx < kMaxSize; ++size_idx) {
      owner_sizes.Add("", kOwnerSizeWeights[size_idx]);
      rented_sizes.Add("", kRentedSizeWeights[size_idx]);
      Picker owner, rented;
      for (const Shape& shape : kOwnerShapes[size_idx]) owner.Add("", shape.weight);
      for (const Shape& shape : kRentedShapes[size_idx]) rented.Add("", shape.weight);
      owner_shapes.push_back(std::move(owner));
      rented_shapes.push_back(std::move(rented));
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

// ---- Small helpers ----------------------------------------------------------------------------

// Decimal formatting by hand: snprintf dominated the profile.
void AppendPadded(std::string& out, int64_t value, int width) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* begin = end;
  uint64_t v = static_cast<uint64_t>(value);
  do {
    *--begin = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (end - begin < width) *--begin = '0';
  out.append(begin, end);
}

void AppendInt(std::string& out, int64_t value) { AppendPadded(out, value, 1); }

void AppendDate(std::string& out, const Date& date) {
  AppendPadded(out, date.year, 4);
  out += '-';
  AppendPadded(out, date.month, 2);
  out += '-';
  AppendPadded(out, date.day, 2);
}

std::string ChineseNumber(int value) {  // 2..99, for estate phases (二期, 十二期)
  static constexpr std::string_view kDigits[] = {"",   "一", "二", "三", "四",
                                                 "五", "六", "七", "八", "九"};
  std::string out;
  if (value >= 10) {
    if (value >= 20) out += kDigits[value / 10];
    out += "十";
  }
  out += kDigits[value % 10];
  return out;
}

// ---- The plan's shape -------------------------------------------------------------------------

struct Tier {
  int64_t communities;
  int64_t streets;
};

Tier TierFor(int64_t residents) {
  const int64_t communities =
      residents <= kSingleCommunityMax
          ? 1
          : std::max<int64_t>(1, (residents + kResidentsPerCommunity / 2) / kResidentsPerCommunity);
  const int64_t streets =
      std::min(kMaxStreets, (communities + kCommunitiesPerStreet - 1) / kCommunitiesPerStreet);
  return {communities, streets};
}

int64_t CommunityResidents(int64_t residents, int64_t communities, int64_t community_idx) {
  return residents / communities + (community_idx < residents % communities ? 1 : 0);
}

// Estate slot `slot` (community × kEstateSlots + k) → its unique name: a permutation over the
// prefix × suffix combinations, then 二期, 三期 … once they are used up.
struct EstateName {
  std::string name;       // 幸福里小区
  std::string community;  // 幸福里社区居委会
};

EstateName EstateNameFor(int64_t slot) {
  const Tables& tables = GetTables();
  const int64_t prefixes = static_cast<int64_t>(tables.estate_prefixes.size());
  const int64_t combos = prefixes * static_cast<int64_t>(tables.estate_suffixes.size());
  int64_t stride = 797;  // any stride coprime with `combos` permutes the combinations
  while (std::gcd(stride, combos) != 1) stride += 2;
  const int64_t combo = (slot % combos * stride + 11) % combos;
  const int64_t phase = slot / combos;
  const std::string& prefix = tables.estate_prefixes[static_cast<size_t>(combo % prefixes)];
  const std::string& suffix = tables.estate_suffixes[static_cast<size_t>(combo / prefixes)];
  const std::string phase_text =
      phase > 0 ? ChineseNumber(static_cast<int>(phase % 98) + 2) + "期" : "";
  EstateName out;
  out.name = prefix + suffix + phase_text;
  std::string root = suffix;
  if (root.size() >= 6 && root.ends_with("小区")) root.resize(root.size() - 6);
  out.community = prefix + root + phase_text + "社区居委会";
  return out;
}

// ---- A community's households and places ------------------------------------------------------

struct HouseholdSeed {
  bool rented = false;
  uint8_t size = 1;
  uint8_t shape = 0;  // index into k{Owner,Rented}Shapes[size - 1]
};

// Household sizes and shapes, summing exactly to `residents`.
std::vector<HouseholdSeed> DrawHouseholds(const DemoOptions& options, size_t community_idx,
                                          int64_t residents) {
  const Tables& tables = GetTables();
  Rng rng(options.seed, community_idx, kStreamHouseholds);
  std::vector<HouseholdSeed> out;
  out.reserve(static_cast<size_t>(residents / 2 + 1));
  int64_t remaining = residents;
  while (remaining > 0) {
    HouseholdSeed seed;
    seed.rented = rng.Chance(kRentedShare);
    int64_t size = 1 + static_cast<int64_t>(
                           (seed.rented ? tables.rented_sizes : tables.owner_sizes).PickIndex(rng));
    size = std::min(size, remaining);
    seed.size = static_cast<uint8_t>(size);
    const std::vector<Picker>& shapes = seed.rented ? tables.rented_shapes : tables.owner_shapes;
    seed.shape = static_cast<uint8_t>(shapes[static_cast<size_t>(size - 1)].PickIndex(rng));
    out.push_back(seed);
    remaining -= size;
  }
  return out;
}

struct Building {
  int estate = 0;
  int number = 0;
  int units = 0, floors = 0, doors = 0;
  int grid = 0;
  int64_t rooms() const { return static_cast<int64_t>(units) * floors * doors; }
};

struct Layout {
  std::vector<HouseholdSeed> households;
  std::vector<std::string> estates;
  std::vector<bool> estate_hao;  // building written "12号楼" rather than "12栋"
  std::vector<Building> buildings;
  std::vector<bool> vacant;  // per room, in address order
  int64_t rooms = 0;
};

// Estates, buildings, rooms and grids of one community, and which rooms stand empty: rooms are
// enumerated estate → building → unit → floor → door; households fill the occupied ones in order.
Layout BuildLayout(const DemoOptions& options, size_t community_idx, int64_t residents) {
  Layout layout;
  layout.households = DrawHouseholds(options, community_idx, residents);
  const int64_t households = static_cast<int64_t>(layout.households.size());
  const int64_t wanted =
      static_cast<int64_t>(static_cast<double>(households) / (1.0 - kVacantShare) + 0.999);
  Rng rng(options.seed, community_idx, kStreamLayout);
  const int estates =
      static_cast<int>(std::clamp<int64_t>((wanted + 1499) / 1500, 1, kEstateSlots));
  int64_t built = 0;
  for (int estate_idx = 0; estate_idx < estates; ++estate_idx) {
    layout.estates.push_back(
        EstateNameFor(static_cast<int64_t>(community_idx) * kEstateSlots + estate_idx).name);
    layout.estate_hao.push_back(rng.Chance(0.5));
    // Kind: 0 walk-up (多层), 1 mid-rise (小高层), 2 high-rise (高层).
    const int kind = rng.Chance(0.5) ? 0 : (rng.Chance(0.3) ? 1 : 2);
    const int64_t estate_target =
        estate_idx + 1 == estates ? wanted : built + (wanted - built) / (estates - estate_idx);
    int number = 0;
    while (built < estate_target) {
      Building building;
      building.estate = estate_idx;
      building.number = ++number;
      if (kind == 0) {
        building.floors = rng.Chance(0.8) ? rng.Between(5, 6) : 7;
        building.units = rng.Between(2, 6);
        building.doors = rng.Chance(0.7) ? 2 : 3;
      } else if (kind == 1) {
        building.floors = rng.Between(9, 12);
        building.units = rng.Between(2, 3);
        building.doors = rng.Between(2, 4);
      } else {
        building.floors = rng.Between(16, 30);
        building.units = rng.Between(1, 3);
        building.doors = rng.Between(2, 4);
      }
      const int64_t per_floor = static_cast<int64_t>(building.units) * building.doors;
      const int64_t left = estate_target - built;
      if (building.rooms() > left)
        building.floors = static_cast<int>((left + per_floor - 1) / per_floor);
      built += building.rooms();
      layout.buildings.push_back(building);
    }
  }
  layout.rooms = built;
  // Grids: contiguous runs of buildings with about the same number of rooms each.
  int64_t before = 0;
  for (Building& building : layout.buildings) {
    const int64_t middle = before + building.rooms() / 2;
    building.grid = static_cast<int>(
        std::min<int64_t>(kGridsPerCommunity - 1, middle * kGridsPerCommunity / built));
    before += building.rooms();
  }
  // Exactly rooms - households vacant rooms, chosen uniformly (selection sampling).
  layout.vacant.assign(static_cast<size_t>(built), false);
  int64_t to_pick = built - households;
  for (int64_t room_idx = 0; room_idx < built && to_pick > 0; ++room_idx) {
    if (static_cast<int64_t>(rng.Below(static_cast<uint32_t>(built - room_idx))) < to_pick) {
      layout.vacant[static_cast<size_t>(room_idx)] = true;
      --to_pick;
    }
  }
  return layout;
}

void AppendRoomAddress(std::string& out, const Layout& layout, const Building& building, int unit,
                       int floor, int door) {
  out += layout.estates[static_cast<size_t>(building.estate)];
  AppendInt(out, building.number);
  out += layout.estate_hao[static_cast<size_t>(building.estate)] ? "号楼" : "栋";
  AppendInt(out, unit);
  out += "单元";
  AppendInt(out, floor * 100 + door);
  out += "室";
}

// Calls fn(building, unit, floor, door, room_idx) for every room in address order.
template <typename Fn>
void ForEachRoom(const Layout& layout, Fn&& fn) {
  int64_t room_idx = 0;
  for (const Building& building : layout.buildings) {
    for (int unit = 1; unit <= building.units; ++unit) {
      for (int floor = 1; floor <= building.floors; ++floor) {
        for (int door = 1; door <= building.doors; ++door)
          fn(building, unit, floor, door, room_idx++);
      }
    }
  }
}

std::string GridName(int grid_idx) { return "第" + std::to_string(grid_idx + 1) + "网格"; }

// ---- ID numbers -------------------------------------------------------------------------------

// Which county codes a community draws from, and which sequence-code lanes it owns, so that ID
// numbers never repeat across communities generated independently. Up to 499 communities share
// one group and split the 499 lanes; beyond that each block of 499 communities forms a group with
// its own county codes and one lane per community.
struct IdGroups {
  int groups = 1;
  int group = 0;           // this community's group
  std::vector<int> lanes;  // lanes owned in every (code, birth date)
  int Primary() const { return groups == 1 ? 110105 : kBeijingGroups[group % kIdGroups][0]; }
};

IdGroups IdGroupsFor(size_t community_idx, size_t communities) {
  IdGroups out;
  const int64_t per_group = std::min<int64_t>(static_cast<int64_t>(communities), kLanes);
  out.groups = static_cast<int>((static_cast<int64_t>(communities) + kLanes - 1) / kLanes);
  out.group = static_cast<int>(static_cast<int64_t>(community_idx) / kLanes);
  const int64_t first = static_cast<int64_t>(community_idx) % kLanes;
  for (int64_t lane = first; lane < kLanes; lane += per_group)
    out.lanes.push_back(static_cast<int>(lane));
  return out;
}

// County codes abolished since: 崇文区 and 宣武区 (2010), 昌平县 (1999), 大兴县 (2001). Someone
// born from then on carries the successor's code, or, when plans have several ID groups, a 廊坊
// county code that only group 4 (the owner of these retired codes) uses.
struct RetiredCode {
  int code, from_year, successor, substitute;
};
constexpr RetiredCode kRetiredCodes[] = {{110103, 2010, 110101, 131082},
                                         {110104, 2010, 110102, 131022},
                                         {110221, 1999, 110114, 131081},
                                         {110224, 2001, 110115, 131028}};

int CodeInUse(int code, int birth_year, const IdGroups& groups) {
  for (const RetiredCode& retired : kRetiredCodes) {
    if (retired.code == code && birth_year >= retired.from_year) {
      return groups.groups == 1 ? retired.successor : retired.substitute;
    }
  }
  return code;
}

class IdAllocator {
 public:
  IdAllocator(size_t community_idx, size_t communities)
      : groups_(IdGroupsFor(community_idx, communities)) {}
  const IdGroups& groups() const { return groups_; }

  // Writes an ID number for a person of `code` born on `birth_days` (days since 1970) into `out`,
  // moving the birth date on by days within [lo_days, hi_days] when this community's lanes for
  // that date are used up. Returns the birth date used.
  int Allocate(int code, int birth_days, int lo_days, int hi_days, bool male, std::string& out) {
    int days = birth_days;
    for (int attempt = 0;; ++attempt) {
      const uint64_t key = (static_cast<uint64_t>(code) << 32) |
                           (static_cast<uint64_t>(static_cast<uint32_t>(days + 200000)) << 1) |
                           (male ? 1u : 0u);
      uint16_t& used = used_[key];
      if (used < groups_.lanes.size()) {
        const int lane = groups_.lanes[used++];
        const int sequence = male ? 2 * lane + 1 : 2 * lane + 2;
        const Date birth = Date::FromDays(days);
        out.clear();
        AppendPadded(out, code, 6);
        AppendPadded(out, birth.year, 4);
        AppendPadded(out, birth.month, 2);
        AppendPadded(out, birth.day, 2);
        AppendPadded(out, sequence, 3);
        out += IdCheckChar(out);
        return days;
      }
      // Next day in the same age window, then earlier years once the window is exhausted.
      const int span = hi_days - lo_days + 1;
      days = attempt < span ? lo_days + (days - lo_days + 1) % span : days - 1;
    }
  }

 private:
  IdGroups groups_;
  std::unordered_map<uint64_t, uint16_t> used_;
};

// ---- People -----------------------------------------------------------------------------------

struct Member {
  char role = 'H';
  bool male = false;
  int age = 0;
  int parent = -1;  // for C: 0 (the head); for G: the first child; for P: whose parent
  int spouse = -1;
  const std::string* surname = nullptr;
  const char* relation = "户主";
  const char* marital = "未婚";
};

int Cohort(int birth_year) { return birth_year <= 1969 ? 0 : (birth_year <= 1994 ? 1 : 2); }

// Gap in years between a parent and a child: mostly 22–31, always within [lo, hi].
int GenerationGap(Rng& rng, int lo, int hi) {
  if (hi < lo) hi = lo;
  const int preferred = rng.Chance(0.85) ? rng.Between(22, 31) : rng.Between(lo, hi);
  return std::clamp(preferred, lo, hi);
}

// Spouse of a person of `age` and sex `male`: opposite sex, the husband mostly 0–4 years older.
int SpouseAge(Rng& rng, int age, bool male) {
  const int husband_older = rng.Chance(0.85) ? rng.Between(-1, 5) : rng.Between(-5, 9);
  const int spouse = male ? age - husband_older : age + husband_older;
  return std::clamp(spouse, male ? 20 : 22, 100);
}

const char* MaritalFor(Rng& rng, int age, bool male,
                       std::initializer_list<std::pair<const char*, int>> weights) {
  if (age < (male ? 22 : 20)) return "未婚";
  int total = 0;
  for (const auto& [label, weight] : weights) total += weight;
  int r = static_cast<int>(rng.Below(static_cast<uint32_t>(total)));
  for (const auto& [label, weight] : weights) {
    if (r < weight) return label;
    r -= weight;
  }
  return "未婚";
}

// Ages, sexes, relations, surnames and marital states of one household, head first.
void BuildMembers(const Shape& shape, Rng& rng, const Tables& tables,
                  std::vector<Member>& members) {
  members.clear();
  Member head;
  const int span = shape.head_hi - shape.head_lo + 1;
  head.age =
      shape.skew_young
          ? shape.head_lo + static_cast<int>(std::min(rng.Below(static_cast<uint32_t>(span)),
                                                      rng.Below(static_cast<uint32_t>(span))))
          : rng.Between(shape.head_lo, shape.head_hi);
  head.male = rng.Chance(shape.head_male);
  head.surname = &tables.surnames.Pick(rng);
  members.push_back(head);
  const std::string_view roles = shape.roles;
  const bool adult_child = roles.find_first_of("DG") != std::string_view::npos;
  int first_child = -1;
  for (char role : roles) {
    Member m;
    m.role = role;
    const Member& h = members[0];
    switch (role) {
      case 'S': {
        m.male = !h.male;
        m.age = SpouseAge(rng, h.age, h.male);
        m.spouse = 0;
        members[0].spouse = static_cast<int>(members.size());
        m.surname = &tables.surnames.Pick(rng);
        m.relation = m.male ? "夫" : "妻";
        break;
      }
      case 'C': {
        const int other = h.spouse;
        const int young =
            other >= 0 ? std::min(h.age, members[static_cast<size_t>(other)].age) : h.age;
        const int old =
            other >= 0 ? std::max(h.age, members[static_cast<size_t>(other)].age) : h.age;
        const int min_age = first_child < 0 && adult_child ? 22 : 0;
        const int gap = GenerationGap(rng, 20, std::min(40 - (old - young), young - min_age));
        m.age = std::max(0, young - gap);
        m.male = rng.Chance(0.515);
        m.parent = 0;
        // Children mostly take the father's surname; an absent father's is a fresh draw.
        const Member* father =
            h.male ? &h : (other >= 0 ? &members[static_cast<size_t>(other)] : nullptr);
        const Member* mother =
            !h.male ? &h : (other >= 0 ? &members[static_cast<size_t>(other)] : nullptr);
        if (father != nullptr) {
          m.surname = mother != nullptr && rng.Chance(0.05) ? mother->surname : father->surname;
        } else {
          m.surname = rng.Chance(0.6) ? &tables.surnames.Pick(rng) : h.surname;
        }
        m.relation = m.male ? "子" : "女";
        if (first_child < 0) first_child = static_cast<int>(members.size());
        break;
      }
      case 'D': {
        Member& child = members[static_cast<size_t>(first_child)];
        m.male = !child.male;
        m.age = SpouseAge(rng, child.age, child.male);
        m.spouse = first_child;
        child.spouse = static_cast<int>(members.size());
        m.surname = &tables.surnames.Pick(rng);
        m.relation = m.male ? "女婿" : "儿媳";
        break;
      }
      case 'G': {
        const Member& child = members[static_cast<size_t>(first_child)];
        const Member* partner =
            child.spouse >= 0 ? &members[static_cast<size_t>(child.spouse)] : nullptr;
        const int young = partner != nullptr ? std::min(child.age, partner->age) : child.age;
        const int old = partner != nullptr ? std::max(child.age, partner->age) : child.age;
        m.age = std::max(0, young - GenerationGap(rng, 20, std::min(40 - (old - young), young)));
        m.male = rng.Chance(0.515);
        m.parent = first_child;
        const Member* father = child.male ? &child : partner;
        m.surname = father != nullptr
                        ? father->surname
                        : (rng.Chance(0.5) ? child.surname : &tables.surnames.Pick(rng));
        m.relation = child.male ? (m.male ? "孙子" : "孙女") : (m.male ? "外孙子" : "外孙女");
        break;
      }
      case 'P': {
        // The head's own parents mostly; the spouse's parents in one household in five.
        int of = 0;
        for (size_t member_idx = 1; member_idx < members.size(); ++member_idx) {
          if (members[member_idx].role == 'P') of = members[member_idx].parent;  // same side twice
        }
        const bool first_parent = std::none_of(members.begin(), members.end(),
                                               [](const Member& x) { return x.role == 'P'; });
        if (first_parent && h.spouse >= 0 && rng.Chance(0.2)) of = h.spouse;
        const Member& child = members[static_cast<size_t>(of)];
        m.parent = of;
        const Member* other_parent = nullptr;
        for (const Member& x : members) {
          if (x.role == 'P' && x.parent == of) other_parent = &x;
        }
        if (other_parent != nullptr) {
          m.male = !other_parent->male;
          m.age = std::clamp(SpouseAge(rng, other_parent->age, other_parent->male), child.age + 20,
                             std::min(100, child.age + 40));
          m.spouse = static_cast<int>(other_parent - members.data());
          members[static_cast<size_t>(m.spouse)].spouse = static_cast<int>(members.size());
        } else {
          m.male = roles.find("PP") != std::string_view::npos ? true : rng.Chance(0.35);
          m.age = std::min(100, child.age + GenerationGap(rng, 20, 40));
        }
        m.surname = m.male ? child.surname : &tables.surnames.Pick(rng);
        const bool own = of == 0;
        if (own) {
          m.relation = m.male ? "父亲" : "母亲";
        } else if (h.male) {
          m.relation = m.male ? "岳父" : "岳母";
        } else {
          m.relation = m.male ? "公公" : "婆婆";
        }
        break;
      }
      case 'B': {
        m.male = rng.Chance(0.5);
        m.age = std::max(16, h.age + rng.Between(-8, 8));
        m.surname = h.surname;
        const bool older = m.age > h.age || (m.age == h.age && rng.Chance(0.5));
        m.relation = m.male ? (older ? "兄" : "弟") : (older ? "姐姐" : "妹妹");
        break;
      }
      default: {  // 'O'
        m.male = rng.Chance(0.55);
        m.age = std::max(18, h.age + rng.Between(-6, 6));
        m.surname = &tables.surnames.Pick(rng);
        m.relation = "非亲属";
        break;
      }
    }
    members.push_back(m);
  }
  // Marital status, once everyone is known.
  const bool has_children = roles.find('C') != std::string_view::npos;
  for (size_t member_idx = 0; member_idx < members.size(); ++member_idx) {
    Member& m = members[member_idx];
    if (m.spouse >= 0) {
      m.marital = "已婚";
      continue;
    }
    switch (m.role) {
      case 'H':
        if (m.age >= 60) {
          m.marital = MaritalFor(rng, m.age, m.male,
                                 {{"丧偶", 65}, {"离婚", 12}, {"已婚", 13}, {"未婚", 10}});
        } else if (has_children) {
          m.marital = MaritalFor(rng, m.age, m.male,
                                 {{"离婚", 55}, {"丧偶", 15}, {"已婚", 20}, {"未婚", 10}});
        } else {
          m.marital = MaritalFor(rng, m.age, m.male, {{"未婚", 72}, {"离婚", 18}, {"已婚", 10}});
        }
        break;
      case 'C':
        if (static_cast<int>(member_idx) == first_child &&
            roles.find('G') != std::string_view::npos) {
          m.marital = MaritalFor(rng, m.age, m.male, {{"离婚", 50}, {"已婚", 35}, {"丧偶", 15}});
        } else if (m.age < 30) {
          m.marital = MaritalFor(rng, m.age, m.male, {{"未婚", 90}, {"离婚", 5}, {"已婚", 5}});
        } else if (m.age < 40) {
          m.marital = MaritalFor(rng, m.age, m.male, {{"未婚", 65}, {"离婚", 25}, {"已婚", 10}});
        } else {
          m.marital = MaritalFor(rng, m.age, m.male,
                                 {{"未婚", 40}, {"离婚", 45}, {"丧偶", 5}, {"已婚", 10}});
        }
        break;
      case 'P':
        m.marital = MaritalFor(rng, m.age, m.male, {{"丧偶", 85}, {"离婚", 8}, {"已婚", 7}});
        break;
      case 'G':
        m.marital = MaritalFor(rng, m.age, m.male, {{"未婚", 85}, {"已婚", 15}});
        break;
      default:  // B, O
        if (m.age < 30) {
          m.marital = MaritalFor(rng, m.age, m.male, {{"未婚", 75}, {"已婚", 22}, {"离婚", 3}});
        } else {
          m.marital = MaritalFor(rng, m.age, m.male,
                                 {{"已婚", 55}, {"未婚", 25}, {"离婚", 15}, {"丧偶", 5}});
        }
        break;
    }
  }
}

void AppendGivenName(std::string& out, Rng& rng, const Tables& tables, bool male, int birth_year) {
  const int cohort = Cohort(birth_year);
  const double single_share = cohort == 0 ? 0.25 : (cohort == 1 ? 0.40 : 0.18);
  const int sex = male ? 1 : 0;
  if (rng.Chance(single_share)) {
    out += tables.single[sex][cohort].Pick(rng);
  } else if (rng.Chance(0.55)) {
    out += tables.whole[sex][cohort].Pick(rng);
  } else {
    out += tables.first[sex][cohort].Pick(rng);
    out += tables.single[sex][cohort].Pick(rng);
  }
}

const char* EducationFor(Rng& rng, const Tables& tables, int age, int birth_year, bool migrant) {
  if (age < 6) return "";
  if (age < 12) return kPrimary;
  if (age < 15) return kJunior;
  if (age < 18) return rng.Chance(0.85) ? kHighSchool : kVocational;
  const Picker& picker =
      migrant ? tables.migrant_education[birth_year >= 1990 ? 0 : (birth_year >= 1975 ? 1 : 2)]
              : tables.local_education[birth_year >= 1990   ? 0
                                       : birth_year >= 1975 ? 1
                                       : birth_year >= 1960 ? 2
                                       : birth_year >= 1945 ? 3
                                                            : 4];
  const char* level = kEducationLevels[picker.PickIndex(rng)];
  if (age < 23 && level == kGrad) level = kBachelor;
  return level;
}

bool HighEducation(const char* education) {
  return education == kGrad || education == kBachelor || education == kCollege;
}

const std::string& OccupationFor(Rng& rng, const Tables& tables, int age, bool male,
                                 const char* education, bool migrant) {
  static const std::string kNone, kStudent = "学生";
  if (age < 6) return kNone;
  if (age < 18) return kStudent;
  const bool high = HighEducation(education);
  if (age < 22 && (education == kBachelor || education == kCollege) && rng.Chance(0.85))
    return kStudent;
  if (age < 25 && education == kGrad && rng.Chance(0.7)) return kStudent;
  const bool retired = male ? age >= 60 : (age >= 55 || (age >= 50 && !high && rng.Chance(0.5)));
  if (retired) return (migrant ? tables.migrant_retired : tables.retired).Pick(rng);
  if (migrant) return (high ? tables.migrant_work_high : tables.migrant_work_low).Pick(rng);
  return (high ? tables.work_high : tables.work_low).Pick(rng);
}

const std::string& PoliticalFor(Rng& rng, const Tables& tables, int age, const char* education,
                                bool migrant) {
  static const std::string kMasses = "群众", kMember = "中共党员", kProbationary = "中共预备党员",
                           kLeague = "共青团员";
  if (age < 14) return kMasses;
  if (age >= 18) {
    double party =
        age <= 28 ? 0.03 : (age <= 44 ? 0.07 : (age <= 59 ? 0.085 : (age <= 79 ? 0.10 : 0.12)));
    if (HighEducation(education)) party *= 1.5;
    if (education == kJunior || education == kPrimary) party *= 0.5;
    if (migrant) party *= 0.6;
    const double r = rng.Unit();
    if (r < party) return kMember;
    if (age <= 35 && r < party + 0.004) return kProbationary;
    if (HighEducation(education) && r > 0.996) return tables.parties.Pick(rng);
  }
  if (age <= 28) {
    const double league = age <= 18 ? 0.65 : (age <= 24 ? 0.45 : 0.25);
    if (rng.Chance(league)) return kLeague;
  }
  return kMasses;
}

void AppendPhone(std::string& out, Rng& rng) {
  AppendInt(out, kMobilePrefixes[rng.Below(static_cast<uint32_t>(std::size(kMobilePrefixes)))]);
  AppendPadded(out, static_cast<int64_t>(rng.Below(100000000)), 8);
}

void AppendRandomBeijingEstate(std::string& out, Rng& rng, const Tables& tables) {
  out += tables.estate_prefixes[rng.Below(static_cast<uint32_t>(tables.estate_prefixes.size()))];
  out += tables.estate_suffixes[rng.Below(static_cast<uint32_t>(tables.estate_suffixes.size()))];
  AppendInt(out, rng.Between(1, 30));
  out += "号楼";
  AppendInt(out, rng.Between(1, 6));
  out += "单元";
  AppendInt(out, rng.Between(1, 18) * 100 + rng.Between(1, 4));
  out += "室";
}

// A county of a source city; with several ID groups each group keeps to its own column.
const County& PickCounty(Rng& rng, const Tables& tables, const IdGroups& groups,
                         const SourceCity** city) {
  *city = &tables.cities[tables.city_picker.PickIndex(rng)];
  const int county =
      groups.groups == 1 ? rng.Between(0, kCountiesPerCity - 1) : groups.group % kIdGroups;
  return (*city)->counties[county];
}

int PickOtherBeijingCode(Rng& rng, const Tables& tables, const IdGroups& groups) {
  if (groups.groups == 1) return tables.beijing[tables.beijing_picker.PickIndex(rng)].code;
  return kBeijingGroups[groups.group % kIdGroups][rng.Between(1, 3)];
}

// Where the household is registered and how its members' ID address codes are drawn.
struct Registration {
  bool migrant = false;              // 流动人口 from another province
  int home_code = 110105;            // the code most members carry
  const SourceCity* city = nullptr;  // migrants
  std::string hukou;                 // 户籍地址 shared by the household
  const char* status = "人户一致";
};

}  // namespace

// ---- Public API -------------------------------------------------------------------------------

const std::vector<std::string>& ResidentColumns() {
  static const std::vector<std::string> kColumns = {
      "姓名",     "公民身份号码", "性别",       "出生日期", "民族",     "政治面貌",
      "文化程度", "婚姻状况",     "从业状况",   "联系电话", "户籍地址", "现居住地址",
      "所属网格", "户号",         "与户主关系", "人户状态", "房屋性质"};
  return kColumns;
}

size_t CommunityCount(const DemoPlan& plan) {
  size_t count = 0;
  for (const StreetPlan& street : plan.streets) count += street.communities.size();
  return count;
}

const CommunityPlan& CommunityAt(const DemoPlan& plan, size_t community_idx) {
  for (const StreetPlan& street : plan.streets) {
    if (community_idx < street.communities.size()) return street.communities[community_idx];
    community_idx -= street.communities.size();
  }
  return plan.streets.back().communities.back();  // REQUIRES violated; keep memory-safe
}

namespace {
const StreetPlan& StreetOf(const DemoPlan& plan, size_t community_idx) {
  for (const StreetPlan& street : plan.streets) {
    if (community_idx < street.communities.size()) return street;
    community_idx -= street.communities.size();
  }
  return plan.streets.back();
}
}  // namespace

DemoPlan PlanDemo(const DemoOptions& options) {
  const Tables& tables = GetTables();
  const int64_t residents = std::max<int64_t>(1, options.residents);
  const Tier tier = TierFor(residents);
  DemoPlan plan;
  plan.district_code = std::string(kDistrictCode);
  plan.district_name = std::string(kDistrictName);
  for (int64_t street_idx = 0; street_idx < tier.streets; ++street_idx) {
    StreetPlan street;
    street.code = plan.district_code;
    AppendPadded(street.code, street_idx + 1, 3);
    const size_t real = tables.streets.size();
    street.name = static_cast<size_t>(street_idx) < real
                      ? tables.streets[static_cast<size_t>(street_idx)]
                      : tables.invented_streets[static_cast<size_t>(street_idx) - real];
    const int64_t begin = tier.communities * street_idx / tier.streets;
    const int64_t end = tier.communities * (street_idx + 1) / tier.streets;
    for (int64_t community_idx = begin; community_idx < end; ++community_idx) {
      CommunityPlan community;
      community.code = street.code;
      AppendPadded(community.code, community_idx - begin + 1, 3);
      community.name = EstateNameFor(community_idx * kEstateSlots).community;
      for (int grid_idx = 0; grid_idx < kGridsPerCommunity; ++grid_idx)
        community.grids.push_back(GridName(grid_idx));
      community.residents = CommunityResidents(residents, tier.communities, community_idx);
      const Layout layout =
          BuildLayout(options, static_cast<size_t>(community_idx), community.residents);
      community.estates = layout.estates;
      community.households = static_cast<int64_t>(layout.households.size());
      community.rooms = layout.rooms;
      ForEachRoom(layout,
                  [&](const Building& building, int unit, int floor, int door, int64_t room_idx) {
                    if (!layout.vacant[static_cast<size_t>(room_idx)]) return;
                    std::string address;
                    AppendRoomAddress(address, layout, building, unit, floor, door);
                    community.vacant_rooms.push_back(std::move(address));
                  });
      street.communities.push_back(std::move(community));
    }
    plan.streets.push_back(std::move(street));
  }
  return plan;
}

void GenerateResidents(const DemoOptions& options, const DemoPlan& plan, size_t community_idx,
                       const std::function<void(const std::vector<std::string>& row)>& row) {
  const Tables& tables = GetTables();
  const CommunityPlan& community = CommunityAt(plan, community_idx);
  const StreetPlan& street = StreetOf(plan, community_idx);
  const Layout layout = BuildLayout(options, community_idx, community.residents);
  IdAllocator ids(community_idx, CommunityCount(plan));
  const IdGroups& groups = ids.groups();
  Rng rng(options.seed, community_idx, kStreamPeople);

  std::vector<std::string> values(kColumnCount);
  std::vector<Member> members;
  std::string address, head_phone;
  std::vector<std::string> household_names;
  std::vector<std::string> grid_names;
  for (int grid_idx = 0; grid_idx < kGridsPerCommunity; ++grid_idx)
    grid_names.push_back(GridName(grid_idx));
  Registration reg;
  size_t household_idx = 0;

  ForEachRoom(layout, [&](const Building& building, int unit, int floor, int door,
                          int64_t room_idx) {
    if (layout.vacant[static_cast<size_t>(room_idx)]) return;
    const HouseholdSeed& seed = layout.households[household_idx++];
    const Shape& shape = (seed.rented ? kRentedShapes : kOwnerShapes)[seed.size - 1][seed.shape];
    BuildMembers(shape, rng, tables, members);

    address.clear();
    AppendRoomAddress(address, layout, building, unit, floor, door);

    // Registration of the household.
    reg.city = nullptr;
    reg.hukou.clear();
    const double kind_draw = rng.Unit();
    if (seed.rented && kind_draw < kMigrantShare) {
      reg.migrant = true;
      const County& county = PickCounty(rng, tables, groups, &reg.city);
      reg.home_code = county.code;
      reg.hukou = reg.city->prefix;
      reg.hukou += county.name;
      reg.hukou += tables.roads[rng.Below(static_cast<uint32_t>(tables.roads.size()))];
      AppendInt(reg.hukou, rng.Between(1, 300));
      reg.hukou += "号";
      reg.status = "流动人口";
    } else if (seed.rented || kind_draw < kOwnerAwayShare) {
      // Registered elsewhere in Beijing: another district, or another street of 朝阳区.
      reg.migrant = false;
      const bool other_district = rng.Chance(0.55);
      reg.status = "人在户不在";
      if (other_district) {
        const County& district = tables.beijing[tables.beijing_picker.PickIndex(rng)];
        reg.home_code = groups.groups == 1 ? district.code : groups.Primary();
        reg.hukou = "北京市";
        reg.hukou += district.name;
      } else {
        reg.home_code = groups.Primary();
        size_t other = rng.Below(static_cast<uint32_t>(tables.streets.size()));
        if (tables.streets[other] == street.name) other = (other + 1) % tables.streets.size();
        reg.hukou = "北京市朝阳区";
        reg.hukou += tables.streets[other];
      }
      AppendRandomBeijingEstate(reg.hukou, rng, tables);
    } else {
      reg.migrant = false;
      reg.home_code = groups.Primary();
      reg.hukou = "北京市朝阳区";
      reg.hukou += street.name;
      reg.hukou += address;
      reg.status = "人户一致";
    }
    const bool migrant = reg.migrant;

    values[kHouseholdNumber] = "H";
    AppendPadded(values[kHouseholdNumber], static_cast<int64_t>(household_idx), 6);
    values[kAddress] = address;
    values[kGrid] = grid_names[static_cast<size_t>(building.grid)];
    values[kOccupancy] = seed.rented ? "出租" : "自住";
    values[kHukou] = reg.hukou;
    values[kResidenceStatus] = reg.status;

    const std::string* head_ethnicity = &tables.ethnicities.Pick(rng);
    head_phone.clear();
    household_names.clear();
    for (size_t member_idx = 0; member_idx < members.size(); ++member_idx) {
      const Member& m = members[member_idx];
      // Birth date: `age` full years at as_of.
      const Date& as_of = options.as_of;
      const int hi_days = Date{as_of.year - m.age, as_of.month,
                               std::min(as_of.day, DaysInMonth(as_of.year - m.age, as_of.month))}
                              .DaysSinceEpoch();
      const int lo_days =
          Date{as_of.year - m.age - 1, as_of.month,
               std::min(as_of.day, DaysInMonth(as_of.year - m.age - 1, as_of.month))}
              .DaysSinceEpoch() +
          1;
      int birth_days =
          lo_days + static_cast<int>(rng.Below(static_cast<uint32_t>(hi_days - lo_days + 1)));

      // ID address code.
      int code = reg.home_code;
      if (migrant) {
        if ((m.role == 'S' || m.role == 'D' || m.role == 'O') && rng.Chance(0.3)) {
          const SourceCity* city = nullptr;
          code = PickCounty(rng, tables, groups, &city).code;
        }
      } else {
        const bool young_native = (m.role == 'C' || m.role == 'G') && as_of.year - m.age >= 1985;
        const double r = rng.Unit();
        const double other_beijing = young_native ? 0.10 : 0.20;
        const double other_province = young_native ? 0.02 : 0.10;
        if (r < other_province) {
          const SourceCity* city = nullptr;
          code = PickCounty(rng, tables, groups, &city).code;
        } else if (r < other_province + other_beijing) {
          code = PickOtherBeijingCode(rng, tables, groups);
        }
      }
      code = CodeInUse(code, as_of.year - m.age, groups);
      birth_days = ids.Allocate(code, birth_days, lo_days, hi_days, m.male, values[kIdNumberCol]);
      const Date birth = Date::FromDays(birth_days);

      // A name no one else in the household has (a father and son are never both 黄亮).
      for (int attempt = 0; attempt < 8; ++attempt) {
        values[kName] = *m.surname;
        AppendGivenName(values[kName], rng, tables, m.male, birth.year);
        if (std::find(household_names.begin(), household_names.end(), values[kName]) ==
            household_names.end()) {
          break;
        }
      }
      household_names.push_back(values[kName]);
      values[kGender] = m.male ? "男" : "女";
      values[kBirthDate].clear();
      AppendDate(values[kBirthDate], birth);
      const bool blood = m.role == 'H' || m.role == 'C' || m.role == 'G' || m.role == 'B' ||
                         (m.role == 'P' && m.parent == 0);
      values[kEthnicity] =
          blood && rng.Chance(0.9) ? *head_ethnicity : tables.ethnicities.Pick(rng);
      const char* education = EducationFor(rng, tables, m.age, birth.year, migrant);
      values[kEducation] = education;
      values[kPolitical] = PoliticalFor(rng, tables, m.age, education, migrant);
      values[kMarital] = m.marital;
      values[kOccupation] = OccupationFor(rng, tables, m.age, m.male, education, migrant);
      values[kPhone].clear();
      const double own_phone =
          m.age >= 75 ? 0.55 : (m.age >= 18 ? 0.93 : (m.age >= 14 ? 0.3 : 0.0));
      if (rng.Chance(own_phone)) {
        AppendPhone(values[kPhone], rng);
      } else if (!head_phone.empty() && rng.Chance(0.5)) {
        values[kPhone] = head_phone;  // a family member's number as the contact
      }
      if (member_idx == 0) head_phone = values[kPhone];
      values[kRelation] = m.relation;
      row(values);
    }
  });
}

void WriteResidentsCsv(const DemoOptions& options, const DemoPlan& plan, size_t community_idx,
                       std::ostream& out) {
  std::string buffer;
  buffer.reserve(1 << 20);
  auto append_field = [&buffer](const std::string& value) {
    const bool plain = std::none_of(value.begin(), value.end(), [](char c) {
      return c == ',' || c == '"' || c == '\n' || c == '\r';
    });
    if (plain) {
      buffer += value;
      return;
    }
    buffer += '"';
    for (char c : value) {
      if (c == '"') buffer += '"';
      buffer += c;
    }
    buffer += '"';
  };
  auto append_line = [&](const std::vector<std::string>& values) {
    for (size_t column_idx = 0; column_idx < values.size(); ++column_idx) {
      if (column_idx > 0) buffer += ',';
      append_field(values[column_idx]);
    }
    buffer += '\n';
    if (buffer.size() > (1 << 20) - 4096) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  };
  append_line(ResidentColumns());
  GenerateResidents(options, plan, community_idx, append_line);
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace linli::demo
