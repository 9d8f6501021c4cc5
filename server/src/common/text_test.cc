// Tests for common/text: NFKC normalisation and trimming, UTF-8 validation, CSV byte decoding
// (BOM, GBK/GB18030, bad bytes with their line), pinyin of names (surname readings, compound
// surnames, ü as v, initials, concurrency) and of text, OpenCC conversion, phone numbers, masks.
#include "common/text.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace linli {
namespace {

TEST(NormalizeTextTest, FullWidthAndTrim) {
  EXPECT_EQ(NormalizeText("１２３"), "123");
  EXPECT_EQ(NormalizeText("　ＡＢｃ　"), "ABc");
  EXPECT_EQ(NormalizeText("  张三\t"), "张三");
  EXPECT_EQ(NormalizeText("\u200b李四\ufeff"), "李四");
  EXPECT_EQ(NormalizeText("退（离）休"), "退(离)休");
  EXPECT_EQ(NormalizeText(""), "");
  std::string invalid = "\xff\xfe abc ";
  EXPECT_EQ(NormalizeText(invalid), invalid);
}

TEST(Utf8Test, ValidityAndChars) {
  EXPECT_TRUE(IsValidUtf8("张三 abc"));
  EXPECT_TRUE(IsValidUtf8("𠮷"));
  EXPECT_FALSE(IsValidUtf8("\xd5\xc5"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xe5\xbc"));      // truncated
  EXPECT_EQ(Utf8Chars("张三a"), (std::vector<std::string>{"张", "三", "a"}));
  EXPECT_EQ(Utf8Chars("𠮷x"), (std::vector<std::string>{"𠮷", "x"}));
}

TEST(DecodeToUtf8Test, Utf8PassesAndBomIsStripped) {
  auto plain = DecodeToUtf8("姓名,性别\n张三,男\n");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "姓名,性别\n张三,男\n");
  auto bom = DecodeToUtf8("\xEF\xBB\xBF姓名");
  ASSERT_TRUE(bom.ok());
  EXPECT_EQ(*bom, "姓名");
}

TEST(DecodeToUtf8Test, GbkBytesDecode) {
  int bad_line = -1;
  auto decoded = DecodeToUtf8("\xd5\xc5\xc8\xfd,\xc4\xd0\n\xc0\xee\xcb\xc4,\xc5\xae", &bad_line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, "张三,男\n李四,女");
  EXPECT_EQ(bad_line, 0);
  auto four_byte = DecodeToUtf8("\x95\x34\xb2\x35");  // GB18030 four-byte form of 𠮷
  ASSERT_TRUE(four_byte.ok());
  EXPECT_EQ(*four_byte, "𠮷");
}

TEST(DecodeToUtf8Test, InvalidBytesReportTheLine) {
  int bad_line = 0;
  // GBK rows, then a lone 0xFF on line 3.
  auto bad = DecodeToUtf8("\xd5\xc5\xc8\xfd\n\xc0\xee\xcb\xc4\nabc\xff\n", &bad_line);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kImportEncoding);
  EXPECT_EQ(bad.status().Param("row"), "3");
  EXPECT_EQ(bad_line, 3);
  EXPECT_EQ(bad.status().Message(), "第3行含有无法识别的字符编码，请另存为UTF-8或GBK编码的CSV");
}

TEST(DecodeToUtf8Test, DamagedUtf8IsNotReadAsGbk) {
  int bad_line = 0;
  auto bad = DecodeToUtf8("姓名,性别,民族,住址\n张三,男,汉族,幸福里\n李\xe5\x9b,女\n", &bad_line);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad_line, 3);
}

TEST(PinyinTest, NamesUseSurnameReadings) {
  NamePinyin zhu = NamePinyinOf("朱金妹");
  EXPECT_EQ(zhu.full, "zhujinmei");
  EXPECT_EQ(zhu.initials, "zjm");
  EXPECT_EQ(NamePinyinOf("单林").full, "shanlin");
  EXPECT_EQ(NamePinyinOf("曾国藩").full, "zengguofan");
  EXPECT_EQ(NamePinyinOf("覃").full, "qin");
  EXPECT_EQ(NamePinyinOf("覃小红").full, "qinxiaohong");
  EXPECT_EQ(NamePinyinOf("解放").full, "xiefang");
  EXPECT_EQ(NamePinyinOf("朴正熙").full, "piaozhengxi");
  EXPECT_EQ(NamePinyinOf("缪斯").full, "miaosi");
  EXPECT_EQ(NamePinyinOf("仇英").full, "qiuying");
  // The surname reading is for the first character only.
  EXPECT_EQ(NamePinyinOf("张银行").full, "zhangyinxing");
  EXPECT_EQ(NamePinyinOf("王曾").full, "wangceng");
  EXPECT_EQ(NamePinyinOf("李单").full, "lidan");
}

TEST(PinyinTest, CompoundSurnames) {
  NamePinyin ouyang = NamePinyinOf("欧阳修");
  EXPECT_EQ(ouyang.full, "ouyangxiu");
  EXPECT_EQ(ouyang.initials, "oyx");
  EXPECT_EQ(NamePinyinOf("尉迟恭").full, "yuchigong");
  EXPECT_EQ(NamePinyinOf("万俟卨").initials, "mqx");
  EXPECT_EQ(NamePinyinOf("单于龙").full, "chanyulong");
  EXPECT_EQ(NamePinyinOf("长孙无忌").full, "zhangsunwuji");
  EXPECT_EQ(NamePinyinOf("澹台灭明").full, "tantaimieming");
  EXPECT_EQ(NamePinyinOf("尉明").full, "weiming");  // single surname 尉
}

TEST(PinyinTest, UmlautIsV) {
  NamePinyin lv = NamePinyinOf("吕小明");
  EXPECT_EQ(lv.full, "lvxiaoming");
  EXPECT_EQ(lv.initials, "lxm");
  EXPECT_EQ(NamePinyinOf("卢小明").full, "luxiaoming");
  EXPECT_EQ(TextPinyin("女"), "nv");
  EXPECT_EQ(TextPinyin("略"), "lve");
}

TEST(PinyinTest, NonHanCharacters) {
  EXPECT_EQ(NamePinyinOf("  张三 ").full, "zhangsan");
  EXPECT_EQ(NamePinyinOf(" 曾国藩").full, "zengguofan");
  EXPECT_EQ(NamePinyinOf("　曾国藩").full, "zengguofan");
  NamePinyin mixed = NamePinyinOf("张Ｔｏｍ");
  EXPECT_EQ(mixed.full, "zhangtom");
  EXPECT_EQ(mixed.initials, "zt");
  NamePinyin dotted = NamePinyinOf("阿依古丽·买买提");
  EXPECT_EQ(dotted.full, "ayigulimaimaiti");
  EXPECT_EQ(dotted.initials, "ayglmmt");
  EXPECT_EQ(NamePinyinOf("José").full, "jose");
  EXPECT_EQ(NamePinyinOf("").full, "");
  EXPECT_EQ(NamePinyinOf("𠮷").full, "");  // no reading in ICU: dropped
}

TEST(PinyinTest, TextPinyin) {
  EXPECT_EQ(TextPinyin("幸福里小区3栋"), "xingfulixiaoqu3dong");
  EXPECT_EQ(TextPinyin("银行"), "yinxing");
  EXPECT_EQ(TextPinyin("曾"), "ceng");  // ordinary text: not the surname reading
}

TEST(PinyinTest, ConcurrentCallsAgree) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"朱金妹", "zhujinmei"},     {"单林", "shanlin"},      {"曾国藩", "zengguofan"},
      {"欧阳修", "ouyangxiu"},     {"吕小明", "lvxiaoming"}, {"覃梅", "qinmei"},
      {"龚鹏程", "gongpengcheng"}, {"邬丽娟", "wulijuan"},   {"司马光", "simaguang"},
  };
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int thread_idx = 0; thread_idx < 8; ++thread_idx) {
    threads.emplace_back([&, thread_idx] {
      for (int round = 0; round < 200; ++round) {
        for (const auto& [name, expected] : cases) {
          if (NamePinyinOf(name).full != expected) ++failures[thread_idx];
        }
        // Characters nobody asked for yet, so that threads race to fill cells.
        char32_t cp = 0x5000 + thread_idx * 997 + round;
        std::string text;
        text.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        text.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        text.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        if (TextPinyin(text) != TextPinyin(text)) ++failures[thread_idx];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : failures) EXPECT_EQ(count, 0);
}

TEST(OpenccTest, SimplifiedAndTraditional) {
  EXPECT_EQ(ToSimplified("社區"), "社区");
  EXPECT_EQ(ToTraditional("居民委员会"), "居民委員會");
  EXPECT_EQ(ToTraditional("头发 后来"), "頭髮 後來");
  EXPECT_EQ(ToTraditional("软件"), "軟件");  // s2t, not s2twp (which would say 軟體)
  EXPECT_EQ(ToSimplified(""), "");
}

TEST(HasHanTest, Detects) {
  EXPECT_TRUE(HasHan("abc张"));
  EXPECT_TRUE(HasHan("𠮷"));
  EXPECT_FALSE(HasHan("abc 123，。"));
  EXPECT_FALSE(HasHan(""));
}

TEST(SurnameLengthTest, CompoundNeedsAGivenName) {
  EXPECT_EQ(SurnameLength("欧阳修"), 2u);
  EXPECT_EQ(SurnameLength("欧阳"), 1u);
  EXPECT_EQ(SurnameLength("张三"), 1u);
  EXPECT_EQ(SurnameLength(""), 0u);
}

TEST(PhoneTest, Mobile) {
  auto mobile = NormalizePhone("13800138000");
  ASSERT_TRUE(mobile.ok());
  EXPECT_EQ(*mobile, "13800138000");
  EXPECT_EQ(*NormalizePhone("+86 138 0013 8000"), "13800138000");
  EXPECT_EQ(*NormalizePhone("138-0013-8000"), "13800138000");
  EXPECT_EQ(*NormalizePhone("１３８００１３８０００"), "13800138000");
  EXPECT_EQ(*NormalizePhone("008613800138000"), "13800138000");
  EXPECT_EQ(*NormalizePhone("8613800138000"), "13800138000");
  auto bad = NormalizePhone("12345678901");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kPhoneInvalid);
  EXPECT_EQ(bad.status().Param("value"), "12345678901");
  EXPECT_FALSE(NormalizePhone("1380013800").ok());
  EXPECT_FALSE(NormalizePhone("138001380001").ok());
  EXPECT_FALSE(NormalizePhone("13800138000转1").ok());
  EXPECT_FALSE(NormalizePhone("").ok());
  EXPECT_FALSE(NormalizePhone("无").ok());
}

TEST(PhoneTest, FixedLine) {
  EXPECT_EQ(*NormalizePhone("010-12345678"), "010-12345678");
  EXPECT_EQ(*NormalizePhone("01012345678"), "010-12345678");
  EXPECT_EQ(*NormalizePhone("(0571)8765432"), "0571-8765432");
  EXPECT_EQ(*NormalizePhone("021 6234 5678"), "021-62345678");
  EXPECT_EQ(*NormalizePhone("010-12345678-123"), "010-12345678-123");
  EXPECT_EQ(*NormalizePhone("010-12345678转123"), "010-12345678-123");
  EXPECT_EQ(*NormalizePhone("+86 10 12345678"), "010-12345678");
  EXPECT_FALSE(NormalizePhone("12345678").ok());      // no area code
  EXPECT_FALSE(NormalizePhone("010-123456").ok());    // too short
  EXPECT_FALSE(NormalizePhone("011-12345678").ok());  // no such area code
  EXPECT_FALSE(NormalizePhone("0571-0765432").ok());
}

TEST(MaskTest, Phone) {
  EXPECT_EQ(MaskPhone("13800138000"), "138****8000");
  EXPECT_EQ(MaskPhone("010-12345678"), "010-****5678");
  EXPECT_EQ(MaskPhone("0571-8765432-12"), "0571-***5432");
  EXPECT_EQ(MaskPhone("12345"), "*2345");
}

TEST(MaskTest, Name) {
  EXPECT_EQ(MaskName("张三"), "张*");
  EXPECT_EQ(MaskName("张三丰"), "张**");
  EXPECT_EQ(MaskName("欧阳娜娜"), "欧阳**");
  EXPECT_EQ(MaskName("欧阳修"), "欧阳*");
  EXPECT_EQ(MaskName("王"), "*");
  EXPECT_EQ(MaskName(""), "");
}

}  // namespace
}  // namespace linli
