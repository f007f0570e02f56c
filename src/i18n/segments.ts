/** Segment names in both languages and the suggested action for each segment. */
import type { Locale } from './lang.ts';

interface SegmentText {
  zh: string;
  en: string;
  action: Record<Locale, string>;
}

export const SEGMENT_TEXT: Record<string, SegmentText> = {
  重要价值客户: { zh: '重要价值客户', en: 'High-value loyal', action: { zh: '保持 VIP 待遇：专属客服、新品优先体验', en: 'Keep them delighted: VIP service and first access to new products' } },
  重要发展客户: { zh: '重要发展客户', en: 'High-value occasional', action: { zh: '近期来过、花得多但买得少：用会员积分和复购券提升频次', en: 'Recent big spenders who buy rarely: raise frequency with points and repeat-purchase coupons' } },
  重要保持客户: { zh: '重要保持客户', en: 'High-value lapsing', action: { zh: '常买、花得多，但最近没来：主动联系，推送个性化推荐', en: 'Frequent big spenders gone quiet: reach out with personal recommendations' } },
  重要挽留客户: { zh: '重要挽留客户', en: 'High-value win-back', action: { zh: '高价值但久未购买：一对一电话回访，了解原因并挽回', en: 'High value but long gone: call them personally, learn why, win them back' } },
  一般价值客户: { zh: '一般价值客户', en: 'Low-spend loyal', action: { zh: '活跃且常买但客单低：搭配推荐、满减提升客单价', en: 'Active and frequent but low spend: bundles and thresholds to lift basket size' } },
  一般发展客户: { zh: '一般发展客户', en: 'Low-spend occasional', action: { zh: '新近客户：欢迎旅程、首单后及时跟进', en: 'Recent, few small orders: onboarding journey, follow up after the first order' } },
  一般保持客户: { zh: '一般保持客户', en: 'Low-spend lapsing', action: { zh: '曾经常买但客单低、正在流失：定期关怀提醒', en: 'Used to buy often, small baskets, lapsing: regular reminders' } },
  一般挽留客户: { zh: '一般挽留客户', en: 'Low-value lost', action: { zh: '低价值且已沉睡：低成本自动触达，不必重点投入', en: 'Low value and dormant: low-cost automated outreach only' } },
  Champions: { zh: '冠军客户', en: 'Champions', action: { zh: '奖励他们：新品抢先、邀请评价和推荐好友', en: 'Reward them: early access, ask for reviews and referrals' } },
  'Loyal Customers': { zh: '忠诚客户', en: 'Loyal Customers', action: { zh: '向上销售更高价值商品，邀请加入会员计划', en: 'Upsell higher-value products; invite to the loyalty programme' } },
  'Potential Loyalists': { zh: '潜力忠诚客户', en: 'Potential Loyalists', action: { zh: '会员权益与个性化推荐，促成稳定复购', en: 'Membership offers and personal recommendations to build the habit' } },
  'New Customers': { zh: '新客户', en: 'New Customers', action: { zh: '做好新客引导，尽早建立关系', en: 'Onboard them well and build the relationship early' } },
  Promising: { zh: '有潜力客户', en: 'Promising', action: { zh: '加深品牌印象，提供试用装或小额优惠', en: 'Build awareness: samples or a small first-repeat offer' } },
  'Need Attention': { zh: '需要关注', en: 'Need Attention', action: { zh: '基于过往购买推送限时优惠', en: 'Limited-time offers based on what they bought before' } },
  'About to Sleep': { zh: '即将沉睡', en: 'About to Sleep', action: { zh: '推荐热销商品、分享有用内容，重新建立联系', en: 'Recommend best sellers and share useful content to reconnect' } },
  "Can't Lose Them": { zh: '不能失去', en: "Can't Lose Them", action: { zh: '曾是最常买的客户：亲自联系，别让竞争对手抢走', en: 'Once your most frequent buyers: contact them personally before a competitor does' } },
  'At Risk': { zh: '濒临流失', en: 'At Risk', action: { zh: '发送个性化关怀和专属优惠，重新激活', en: 'Personal messages and offers to reactivate them' } },
  Hibernating: { zh: '休眠客户', en: 'Hibernating', action: { zh: '用相关优惠重新唤起兴趣，否则减少投入', en: 'Rekindle interest with relevant offers, otherwise spend little' } },
};

/** The segment's name in `locale`. */
export function segmentName(segment: string, locale: Locale): string {
  return SEGMENT_TEXT[segment]?.[locale] ?? segment;
}

/** The suggested action for a segment in `locale`. */
export function segmentAction(segment: string, locale: Locale): string {
  return SEGMENT_TEXT[segment]?.action[locale] ?? '';
}
