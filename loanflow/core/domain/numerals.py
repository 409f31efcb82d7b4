"""Amounts in capital numerals (中文大写金额) as the central bank writes them.

The rules are those of the PBOC 《支付结算办法》, 附一 "正确填写票据和结算凭证的基本规定":

- the amount starts with 人民币 and uses 壹贰叁肆伍陆柒捌玖 with 拾佰仟万亿 and 元角分;
- 整 follows an amount that ends at 元, and nothing else (not after 角, never after 分);
- a 0 between non-zero digits is written 零, and a run of 0s is written as one 零;
- where the rules say 零 "may" be written (the 万 or 元 place is 0 and the next
  place, 千 or 角, is not) we always write it: 壹仟陆佰捌拾元零叁角贰分,
  壹拾万零贰佰元整;
- when the 角 place is 0 and the 分 place is not, 零 is required after 元;
- a leading 1 in the tens place is written 壹拾, never a bare 拾 (the rules' own
  example: ¥16.15 is 人民币壹拾陆元壹角伍分), so 10.00 is 人民币壹拾元整;
- an amount below one yuan has no 元 and no leading 零: 0.05 is 人民币伍分.
"""

from __future__ import annotations

from decimal import Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")  # within a group of four digits
_GROUPS = ("", "万", "亿")  # groups of four digits, lowest first
_LIMIT = Decimal(10) ** (4 * len(_GROUPS))  # 1 万亿: no cheque is written above that
_FEN = Decimal("0.01")


def capital_yuan(amount: Decimal) -> str:
    """Write a yuan amount in capital numerals (大写), e.g. 人民币叁万零伍佰元整.

    Refuses a negative amount, sub-fen precision (more than two decimals that are
    not zero) and amounts of 1 万亿 yuan or more; ``amount`` must be a Decimal or int.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount must be finite, got {amount}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if amount != amount.quantize(_FEN):
        raise ValueError(f"amount has more than two decimals: {amount}")
    if amount >= _LIMIT:
        raise ValueError(f"amount too large for capital numerals: {amount}")

    fen_total = int(amount * 100)
    yuan, fen_part = divmod(fen_total, 100)
    jiao, fen = divmod(fen_part, 10)

    words: list[str] = []
    # Set after a non-zero digit when a 0 follows; written as 零 before the next non-zero digit.
    zero_pending = False
    started = False

    def digit(value: int, unit: str) -> None:
        nonlocal zero_pending, started
        if value == 0:
            zero_pending = zero_pending or started
            return
        if zero_pending:
            words.append("零")
            zero_pending = False
        words.append(_DIGITS[value] + unit)
        started = True

    groups = [(yuan // 10 ** (4 * i)) % 10000 for i in range(len(_GROUPS))]
    for index in reversed(range(len(_GROUPS))):
        group = groups[index]
        for place in reversed(range(4)):
            digit((group // 10**place) % 10, _PLACES[place])
        if group:
            words.append(_GROUPS[index])
    if yuan:
        words.append("元")
    digit(jiao, "角")
    digit(fen, "分")

    if not started:
        return "人民币零元整"
    if jiao == 0 and fen == 0:
        words.append("整")
    return "人民币" + "".join(words)
