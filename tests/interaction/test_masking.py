from gongkai.interaction.masking import mask


def test_mobiles_landlines_and_id_numbers_are_masked() -> None:
    text = "请回电13907331001或0731-24712345，也可打(0731)24712346；身份证43022319800101001X，旧证430223800101001。"
    masked = mask(text)
    assert "13907331001" not in masked and "139****1001" in masked
    assert "24712345" not in masked and "0731-****2345" in masked
    assert "24712346" not in masked
    assert "43022319800101001X" not in masked and "430*************1X" in masked
    assert "430223800101001" not in masked
    assert "请回电" in masked and "也可打" in masked


def test_names_after_introductions_and_the_writers_own_name() -> None:
    text = (
        "县长您好，我是刘建国，网岭镇罗家坪村村民。本人欧阳晓明代表全组反映。联系人：陈秀英。刘建国再次感谢。"
    )
    masked = mask(text, names=("刘建国",))
    assert "刘建国" not in masked and "我是刘**" in masked and "刘**再次感谢" in masked
    assert "欧阳晓明" not in masked and "本人欧***" in masked
    assert "陈秀英" not in masked
    assert "网岭镇罗家坪村村民" in masked  # places are not names
    assert mask("我是攸县网岭镇的村民") == "我是攸县网岭镇的村民"


def test_house_details_and_emails_are_masked() -> None:
    masked = mask("我家住联星街道建设路18号3栋2单元501室，邮箱liming@example.com。")
    assert "18号" not in masked and "501室" not in masked and "联星街道" in masked
    assert "liming@example.com" not in masked and "@example.com" in masked


def test_ordinary_numbers_stay() -> None:
    text = "2013年共投入资金120万元，惠及3500户，第3组已完工"
    assert mask(text) == text
