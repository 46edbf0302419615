/**
 * Every error code the API can answer with, its HTTP status and its messages.
 * One table, so the server, the OpenAPI spec and the web app agree.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, zh: "提交的内容有误，请检查标出的项目。", en: "Some fields are not valid; check the ones named." },
  MALFORMED_JSON: { status: 400, zh: "请求内容不是有效的 JSON。", en: "The request body is not valid JSON." },
  PUBLICITY_TOO_SHORT: { status: 400, zh: "公示期太短，不能早于规定的最短公示时间。", en: "The publicity period is shorter than the minimum allowed." },
  POINTS_OUT_OF_RANGE: { status: 400, zh: "分值不在该细则规定的范围内。", en: "The points are outside the range the rule allows." },
  REASON_REQUIRED: { status: 400, zh: "驳回时必须填写理由。", en: "A rejection needs a reason." },
  IMPORT_TOO_LARGE: { status: 400, zh: "导入文件解压后太大（工作表、行数或内容超出上限），请分成几个较小的文件再导入。", en: "The file is too large once unpacked (too many sheets, rows or bytes); split it into smaller files." },
  IMPORT_INVALID: { status: 400, zh: "导入文件有错误，未导入任何数据，请按行修改后重新导入。", en: "The file has errors; nothing was imported. Fix the rows listed and import again." },
  BASKET_EMPTY: { status: 400, zh: "购物篮是空的。", en: "The basket is empty." },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, zh: "缺少 Idempotency-Key 请求头。", en: "The Idempotency-Key header is required." },
  STATEMENT_TOO_LONG: { status: 400, zh: "这段时间的记录太多，一张对账单放不下，请选短一点的时间。", en: "This period has too many entries for one statement; choose a shorter period." },
  HELPER_CODE_WRONG: { status: 401, zh: "代理码不对，或者已经停用。请核对后再输入，或者问社区工作人员。", en: "This helper code is wrong or no longer in use. Check it, or ask the community staff." },
  HELPERS_FULL: { status: 409, zh: "这户已经有 3 位亲情代理了。请先停止一位，再添加新的。", en: "This household already has 3 family helpers; end one before adding another." },
  UNAUTHENTICATED: { status: 401, zh: "请先登录。", en: "Please sign in first." },
  BAD_CREDENTIALS: { status: 401, zh: "用户名或密码不正确。", en: "Wrong username or password." },
  PIN_WRONG: { status: 401, zh: "卡号或密码不正确。", en: "Wrong card number or PIN." },
  PIN_REQUIRED: { status: 401, zh: "本次兑换积分较多，请输入积分卡密码。", en: "This basket needs the card's PIN." },
  FORBIDDEN: { status: 403, zh: "您没有权限进行此操作。", en: "You are not allowed to do this." },
  CROSS_SITE: { status: 403, zh: "该请求来自其他网站，已拒绝。请在本系统的页面中操作。", en: "This request came from another site and was refused; use this site's own pages." },
  SELF_CERTIFICATION: { status: 403, zh: "提交申请的人不能认定自己提交的申请。", en: "Whoever submitted an application cannot certify it." },
  NOT_FOUND: { status: 404, zh: "找不到该记录。", en: "Not found." },
  CARD_INVALID: { status: 404, zh: "无效的积分卡：卡已作废、被篡改或不存在。", en: "Invalid card: revoked, altered or unknown." },
  CONFLICT: { status: 409, zh: "操作与当前状态冲突，请刷新后重试。", en: "This conflicts with the current state; refresh and try again." },
  DUPLICATE: { status: 409, zh: "该记录已存在。", en: "This already exists." },
  DUPLICATE_APPLICATION: { status: 409, zh: "这户（这位成员）已经为同一通知、同一细则申请过积分，不能重复申请。", en: "This household (or member) has already applied for this notice and rule; it cannot apply twice." },
  ALREADY_DECIDED: { status: 409, zh: "该申请已经认定过，不能重复认定。", en: "This application has already been decided." },
  INSUFFICIENT_POINTS: { status: 409, zh: "积分余额不足。", en: "Not enough points." },
  OUT_OF_STOCK: { status: 409, zh: "商品库存不足。", en: "Not enough stock." },
  PUBLICITY_OPEN: { status: 409, zh: "公示期还没有结束，不能充值。", en: "The publicity period has not ended yet." },
  NOTHING_TO_PUBLICISE: { status: 409, zh: "没有已登记、待公示的积分项目。", en: "There are no registered items waiting to be publicised." },
  NOT_IN_PUBLICITY: { status: 409, zh: "该项目不在这一批公示中，或已被处理。", en: "This item is not in this publicity batch, or has already been dealt with." },
  RULE_NOT_IN_NOTICE: { status: 400, zh: "所选细则不属于该通知。", en: "The chosen rule is not part of this notice." },
  PENALTY_NOT_ALLOWED: { status: 403, zh: "居民不能提交扣分申请。", en: "Residents cannot apply for penalties." },
  PUBLICITY_CLOSED: { status: 409, zh: "公示期已结束，不能再提出异议。", en: "The publicity period has ended; objections are closed." },
  IDEMPOTENCY_KEY_REUSED: { status: 409, zh: "该请求编号已用于另一笔不同的兑换。", en: "This Idempotency-Key was used for a different request." },
  ALREADY_VOIDED: { status: 409, zh: "该兑换已经撤销过。", en: "This redemption has already been voided." },
  NOTHING_TO_SETTLE: { status: 409, zh: "该商户在这一截止时间之前没有待结算的兑换。", en: "The shop has nothing to settle before this date." },
  SETTLEMENT_PENDING: { status: 409, zh: "该商户还有一张未确认的结算单草稿，请先确认或作废它。", en: "The shop already has a draft statement; confirm or discard it first." },
  SETTLEMENT_NOT_DRAFT: { status: 409, zh: "该结算单已经确认，不能再修改或作废。", en: "This statement is no longer a draft." },
  SETTLEMENT_NOT_CONFIRMED: { status: 409, zh: "结算单还没有确认，不能登记付款。", en: "The statement has not been confirmed; it cannot be paid yet." },
  SETTLEMENT_STALE: { status: 409, zh: "草稿生成后有兑换被撤销，商户账户积分不足以结算这张草稿；请作废草稿后重新生成。", en: "A redemption was voided after this draft was made and the shop's account no longer covers it; discard the draft and make a new one." },
  OFFLINE_PACK_EXPIRED: { status: 409, zh: "离线名单已过期，或兑换时间不在名单有效期内，这笔离线兑换不能入账。请交给管理员处理。", en: "The offline list had expired, or the redemption lies outside its window; it cannot be booked. Pass it to the admin." },
  OFFLINE_CAP: { status: 409, zh: "超过离线兑换额度（每笔或本机上限），这笔离线兑换不能入账。", en: "Over the offline limit (per redemption or per device); this offline redemption cannot be booked." },
  OFFLINE_DISABLED: { status: 409, zh: "本社区没有开启离线收银。", en: "This community has not turned on the offline counter." },
  DAILY_CAP_REACHED: { status: 409, zh: "已超过本户今日兑换上限。", en: "The household's daily redemption limit is reached." },
  // A genuine one-time code that is spent: 409 (its state refuses it), not 404 CARD_INVALID,
  // whose "revoked, altered or unknown" words would send the clerk looking for a forgery.
  CODE_USED: { status: 409, zh: "这个付款码已经用过了，请居民刷新手机上的付款码，或出示积分卡。", en: "This payment code has already been used; ask the resident to refresh the code on their phone, or to show the card." },
  CODE_EXPIRED: { status: 409, zh: "这个付款码已过期（60 秒内有效，手机退出登录也会失效），请居民在手机上重新获取付款码。", en: "This payment code has expired (codes last 60 seconds and end when the phone signs out); ask the resident to get a new one on their phone." },
  PAYLOAD_TOO_LARGE: { status: 413, zh: "上传的内容太大。", en: "The request is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: "不支持的内容类型。", en: "Unsupported content type." },
  TOO_MANY_ATTEMPTS: { status: 429, zh: "尝试次数过多，请稍后再试。", en: "Too many attempts; try again later." },
  INTERNAL: { status: 500, zh: "服务器出错了，请稍后再试。", en: "Something went wrong on our side; try again later." },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** The one error shape every failing response has. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export function errorMessage(code: ErrorCode, lang: "zh" | "en"): string {
  return errorCatalogue[code][lang];
}
