"""A starting set of synonyms any exchange help center needs; editors change them in the admin."""

from django.db import migrations

GROUPS = [
    # Accounts and signing in
    "ログイン, サインイン, login, log in, sign in, signin, ログオン",
    "ログアウト, サインアウト, logout, log out, sign out",
    "口座, アカウント, account",
    "解約, 退会, 口座解約, アカウント削除, close account, delete account, account closure, account deletion",
    "パスワード, password, passcode",
    "パスワード再設定, パスワードリセット, password reset, reset password, forgot password",
    "凍結, 利用制限, freeze, frozen, restricted, restriction",
    "ロック, lock, locked, lockout, locked out",
    "メールアドレス, メール, email, e-mail, mail address",
    "電話番号, 携帯番号, phone number, mobile number",
    "端末, デバイス, device",
    "機種変更, 機種変, new phone, change phone, phone change",
    "紛失, なくした, lost, lose",
    "サブアカウント, sub-account, subaccount",
    # Security
    "2fa, 二段階認証, 2段階認証, 二要素認証, 2要素認証, two-factor authentication, two-factor, 2-step verification, two-step verification, authenticator, 認証アプリ, totp",
    "フィッシング, phishing",
    "フィッシング対策コード, アンチフィッシングコード, anti-phishing code",
    "不正アクセス, 乗っ取り, unauthorized access, hacked, compromised, account takeover",
    # Identity verification
    "本人確認, kyc, identity verification, verify identity, 身元確認, ekyc",
    "本人確認書類, 身分証, 身分証明書, identity document, id document, id card",
    "住所確認, 住所証明, proof of address, address proof, address verification",
    "否認, 却下, 拒否, rejected, declined, denied",
    "審査, 審査中, review, under review",
    # Deposits and withdrawals
    "出金, 引き出し, 引出し, 引き出す, 引出, withdrawal, withdraw",
    "入金, 預け入れ, 預入, deposit",
    "送金, 送付, 送る, send, sent",
    "反映, 着金, credited, credit",
    "遅延, 遅れ, 遅れる, 遅い, delay, delayed, slow",
    "停止, 一時停止, 中断, suspended, suspension, halted",
    "限度額, 上限額, 上限, limit, limits",
    "振込, 振り込み, 振込み, 銀行振込, bank transfer, wire transfer",
    "日本円, 円, jpy, yen",
    "暗号資産, 仮想通貨, crypto, cryptocurrency, crypto asset",
    "ネットワーク, チェーン, ブロックチェーン, network, chain, blockchain",
    "承認, 承認数, 確認数, confirmation, confirmations",
    "txid, tx id, transaction id, transaction hash, tx hash, トランザクションid, トランザクションハッシュ",
    "memo, tag, destination tag, 宛先タグ, メモ, タグ",
    "アドレス帳, ホワイトリスト, 許可リスト, address book, whitelist, allowlist",
    "アドレス, address, 宛先",
    "ガス代, ネットワーク手数料, マイナー手数料, gas fee, network fee, miner fee",
    "キャンセル, 取消, 取り消し, 取り消す, cancel, cancellation",
    # Trading
    "手数料, fee, fees, commission",
    "手数料率, fee rate",
    "割引, discount",
    "現物, spot",
    "メイカー, メーカー, maker",
    "テイカー, taker",
    "指値, 指値注文, limit order",
    "成行, 成行注文, market order",
    "逆指値, ストップ注文, ストップロス, stop order, stop-loss, stop-limit",
    "約定, fill, filled, executed, execution",
    "注文, order",
    "残高, balance",
    "残高不足, insufficient balance, insufficient funds",
    "交換, コンバート, convert, conversion, swap",
    "購入, 買う, buy, purchase",
    "売却, 売る, sell",
    "取引履歴, 取引明細, transaction history, trade history",
    "エクスポート, ダウンロード, 出力, export, download",
    "税金, 確定申告, 税務申告, tax, tax return, tax report",
    "上場廃止, 取扱廃止, delisting, delist",
    "メンテナンス, maintenance, 保守",
    # Futures and margin
    "先物, futures, デリバティブ, derivatives",
    "無期限先物, 無期限, perpetual, perp",
    "清算, 強制決済, ロスカット, 強制ロスカット, liquidation, liquidated",
    "資金調達率, ファンディングレート, funding rate",
    "資金調達料, ファンディング手数料, funding fee, funding fees",
    "証拠金, マージン, margin",
    "レバレッジ, leverage",
    "振替, 資金移動, transfer between wallets, internal transfer",
    # P2P and API
    "p2p, 個人間取引, peer-to-peer",
    "申し立て, 異議申し立て, アピール, appeal, dispute",
    "api key, apiキー, api鍵",
    "レート制限, リクエスト制限, rate limit, rate limiting, throttling",
    "署名, signature",
    "ip制限, ipアドレス制限, ip whitelist, ip restriction",
]


def add_groups(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    SynonymGroup.objects.bulk_create(
        SynonymGroup(terms=terms, note="default") for terms in GROUPS
    )


def remove_groups(apps, schema_editor):
    apps.get_model("search", "SynonymGroup").objects.filter(note="default").delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_index_tables")]

    operations = [migrations.RunPython(add_groups, remove_groups)]
